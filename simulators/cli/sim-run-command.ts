import { createLogger, type LogLevel } from '../../src/core/logger.js';
import { describeError } from '../../src/core/errors.js';
import { SIMULATED_MODELS, SimulatorHost, type SimulatedModel } from '../sim-host.js';
import { numberOption, parseCommandArgs, UsageError, type SimCliIo } from './cli-support.js';

export const RUN_HELP = `vigil sim run - run a standalone simulated device until Ctrl-C (SIGINT/SIGTERM)

Usage:
  vigil sim run --model radical-7 --tcp 4101 [--host 127.0.0.1]
                [--serial /dev/pts/5 [--baud 9600]] [--bed bed-1] [--device oximeter]
                [--control-port 8091] [--seed N] [--time-scale 10] [--log-level warn]

Options:
  --model        radical-7 | radical-5 | rad-8 (Masimo ASCII 1 output)
  --tcp          TCP port to serve the device's bytes on (0 = any free port)
  --host         address to listen on (TCP and control API), default 127.0.0.1
  --serial       serial port path to write to (e.g. one end of a socat pty pair)
  --baud         serial baud rate, default 9600
  --bed/--device ids used by the control API, default bed-1 / oximeter
  --control-port start the HTTP control API on this port (vigil sim event --control ...)
  --seed         patient noise seed (reproducible runs)
  --time-scale   physiology speed-up, e.g. 10 (lines stay at one per second)
  --log-level    fatal|error|warn|info|debug|trace|silent (JSON logs on stderr), default warn

At least one of --tcp and --serial is required; with both, the device writes to both.`;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function modelOf(value: string | undefined): SimulatedModel {
  if (value === undefined) throw new UsageError('--model is required (radical-7, radical-5 or rad-8)');
  const full = value.startsWith('masimo-') ? value : `masimo-${value}`;
  const model = SIMULATED_MODELS.find((m) => m === full);
  if (!model) throw new UsageError(`--model: unknown model "${value}" (expected radical-7, radical-5 or rad-8)`);
  return model;
}

/** Waits for SIGINT, SIGTERM or `signal`. */
function untilStopped(signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      signal?.removeEventListener('abort', onAbort);
      resolve(why);
    };
    const onInt = (): void => done('SIGINT');
    const onTerm = (): void => done('SIGTERM');
    const onAbort = (): void => done('abort');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    if (signal?.aborted) return done('abort');
    signal?.addEventListener('abort', onAbort);
  });
}

/** `vigil sim run`: returns the exit code once stopped. */
export async function runSimRun(args: string[], io: SimCliIo): Promise<number> {
  const { values } = parseCommandArgs({
    args,
    options: {
      model: { type: 'string' }, tcp: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' },
      serial: { type: 'string' }, baud: { type: 'string', default: '9600' },
      bed: { type: 'string', default: 'bed-1' }, device: { type: 'string', default: 'oximeter' },
      'control-port': { type: 'string' }, seed: { type: 'string' }, 'time-scale': { type: 'string' },
      'log-level': { type: 'string', default: 'warn' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(RUN_HELP);
    return 0;
  }
  const model = modelOf(values.model);
  const tcpPort = numberOption('tcp', values.tcp, true);
  const baudRate = numberOption('baud', values.baud, true) as number;
  const controlPort = numberOption('control-port', values['control-port'], true);
  const seed = numberOption('seed', values.seed, true);
  const timeScale = numberOption('time-scale', values['time-scale']);
  const level = values['log-level'] as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level: unknown level "${level}"`);
  if (tcpPort === undefined && values.serial === undefined) throw new UsageError('give --tcp <port> and/or --serial <path>');

  const host = new SimulatorHost({ logger: createLogger({ level }, process.stderr) });
  try {
    host.addBed(values.bed, { ...(seed !== undefined ? { seed } : {}), ...(timeScale !== undefined ? { timeScale } : {}) });
    const first = tcpPort !== undefined
      ? { kind: 'tcp' as const, host: values.host, port: tcpPort }
      : { kind: 'serial' as const, path: values.serial as string, baudRate };
    await host.addDevice({ bedId: values.bed, deviceId: values.device, model, listen: first });
    if (first.kind === 'tcp' && values.serial !== undefined) {
      await host.addOutput(values.bed, values.device, { kind: 'serial', path: values.serial, baudRate });
    }
    for (const row of host.list()) io.out(`${model} ${row.bedId}/${row.deviceId} serving on ${row.listen}`);
    if (controlPort !== undefined) {
      const port = await host.startControlServer(values.host, controlPort);
      io.out(`control API on http://${values.host}:${port} (vigil sim event --control http://${values.host}:${port} ...)`);
    }
    io.out('press Ctrl-C to stop');
  } catch (err) {
    await host.stop();
    io.err(`vigil sim run: ${describeError(err)}`);
    return 1;
  }
  const why = await untilStopped(io.signal);
  io.out(`stopping (${why})`);
  await host.stop();
  return 0;
}
