import { parseArgs } from 'node:util';
import { isVigilError } from '../core/errors.js';
import { loadVigilConfig } from '../config/vigil-config.js';
import { checkDrugReferences } from '../daemon/config-checks.js';
import { resolveBedProfiles } from '../daemon/alarm-wiring.js';
import type { CliIo } from './cli-io.js';

const HELP = `Usage: vigil check-config FILE [FILE...]
Validates each configuration file and prints every problem with its file, line,
setting path and reason. Exit 0 when all are valid, 1 otherwise.`;

export function runCheckConfigCommand(argv: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (positionals.length === 0) {
    io.err(HELP);
    return 2;
  }
  let failed = 0;
  for (const file of positionals) {
    try {
      const config = loadVigilConfig(file);
      checkDrugReferences(config, file);
      resolveBedProfiles(config, file);
      const devices = config.beds.reduce((n, b) => n + b.devices.length, 0);
      io.out(`${file}: OK (${config.beds.length} beds, ${devices} devices)`);
    } catch (err) {
      if (!isVigilError(err)) throw err;
      io.err(err.message);
      failed++;
    }
  }
  return failed === 0 ? 0 : 1;
}
