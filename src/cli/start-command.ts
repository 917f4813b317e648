import { parseArgs } from 'node:util';
import { isVigilError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { defaultConfigPath, loadVigilConfig } from '../config/vigil-config.js';
import { startDaemon } from '../daemon/daemon.js';
import { missingDaemonFlags, missingFlagsHint } from '../daemon/node-flags.js';
import { checkDrugReferences } from '../daemon/config-checks.js';
import { resolveBedProfiles } from '../daemon/alarm-wiring.js';
import type { CliIo } from './cli-io.js';

const HELP = `Usage: vigil start [--config FILE] [--log-level LEVEL] [--pretty]
Runs the daemon until SIGINT or SIGTERM. Without --config it reads VIGIL_CONFIG,
or else the embedded config/default.yaml (two simulated beds, station on :8080).`;

/** Runs the daemon. Returns an exit code on failure to start; -1 while running. */
export async function runStartCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      'log-level': { type: 'string' },
      pretty: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const file = values.config ?? process.env['VIGIL_CONFIG'] ?? defaultConfigPath();
  let config;
  try {
    config = loadVigilConfig(file);
    checkDrugReferences(config, file);
    resolveBedProfiles(config, file);
  } catch (err) {
    if (!isVigilError(err)) throw err;
    io.err(`vigil: refusing to start.\n${err.message}`);
    return 1;
  }
  const level = (values['log-level'] ?? config.logging.level) as typeof config.logging.level;
  const logger = createLogger({ level, pretty: values.pretty ?? config.logging.pretty });
  logger.info({ config: file }, 'configuration loaded');
  const missing = missingDaemonFlags();
  if (missing.length > 0) {
    logger.info({ missing }, missingFlagsHint(missing));
  }
  let daemon;
  try {
    daemon = await startDaemon({ config, configFile: file, logger });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
    if (e.code === 'EADDRINUSE') {
      io.err(`vigil: cannot start: ${e.address ?? ''}:${e.port ?? ''} is already in use (another Vigil, or change the port in ${file}).`);
      logger.flush?.();
      return 1;
    }
    throw err;
  }
  io.out(`Vigil nurse station: ${daemon.stationUrl}`);
  if (daemon.simulationControlUrl) io.out(`Simulator control API: ${daemon.simulationControlUrl} (vigil sim --help)`);

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    daemon.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return -1;
}
