import { createLogger, type LogLevel } from '../../src/core/logger.js';
import { describeError } from '../../src/core/errors.js';
import { SIMULATED_MODELS, SIMULATED_PUMP_MODELS, SimulatorHost, type SimulatedModel, type SimulatedPump } from '../sim-host.js';
import { numberOption, parseCommandArgs, UsageError, type SimCliIo } from './cli-support.js';

export const RUN_HELP = `vigil sim run - run a standalone simulated device until Ctrl-C (SIGINT/SIGTERM)

Usage:
  vigil sim run --model radical-7 --tcp 4101 [--host 127.0.0.1]
                [--serial /dev/pts/5 [--baud 9600]] [--bed bed-1] [--device oximeter]
                [--control-port 8091] [--seed N] [--time-scale 10] [--weight 70] [--log-level warn]
  vigil sim run --model asena-gh --tcp 4201 --concentration 1 --rate 52.5 [--running]
                [--vtbi 35] [--syringe 50] [...]
  vigil sim run --model modbus-monitor --tcp 5020 [--serial /dev/pts/5 [--baud 19200]]
                [--unit-id 1] [--nibp-interval 300] [...]

Options:
  --model        radical-7 | radical-5 | rad-8 (Masimo ASCII 1 output) |
                 asena-gh (Alaris Asena GH syringe pump: answers commands, feeds the patient ketamine) |
                 modbus-monitor (reference Modbus monitor: Modbus TCP on --tcp, Modbus RTU 8E1 on --serial) |
                 modbus-syringe-pump (reference Modbus syringe pump, the same pump options as asena-gh)
  --unit-id      Modbus slave address of a Modbus model, default 1
  --nibp-interval  modbus-monitor: seconds between NIBP measurements (0 = manual, 60-43200), default 300
  --concentration, --rate, --vtbi, --syringe, --running
                 the pump's ketamine mg/mL, rate mL/h (both required for asena-gh),
                 VTBI mL, syringe volume mL (default 50), infusing at start
  --weight       patient weight, kg (default 70)
  --tcp          TCP port to serve the device's bytes on (0 = any free port)
  --host         address to listen on (TCP and control API), default 127.0.0.1
  --serial       serial port path to write to (e.g. one end of a socat pty pair)
  --baud         serial baud rate, default 9600 (asena-gh: 38400, modbus-monitor and modbus-syringe-pump: 19200)
  --bed/--device ids used by the control API, default bed-1 / oximeter (asena-gh: pump, modbus-monitor: monitor)
  --control-port start the HTTP control API on this port (vigil sim event --control ...)
  --seed         patient noise seed (reproducible runs)
  --time-scale   physiology speed-up, e.g. 10 (lines stay at one per second)
  --log-level    fatal|error|warn|info|debug|trace|silent (JSON logs on stderr), default warn

At least one of --tcp and --serial is required; with both, the device writes to both.`;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function modelOf(value: string | undefined): SimulatedModel {
  if (value === undefined) throw new UsageError('--model is required (radical-7, radical-5, rad-8, asena-gh or modbus-monitor)');
  const full = SIMULATED_MODELS.includes(value as SimulatedModel) ? value : value === 'asena-gh' ? 'alaris-asena-gh' : `masimo-${value}`;
  const model = SIMULATED_MODELS.find((m) => m === full);
  if (!model) throw new UsageError(`--model: unknown model "${value}" (expected radical-7, radical-5, rad-8, asena-gh or modbus-monitor)`);
  return model;
}

/** The pump options, or undefined for a model that is not a pump. */
function pumpOf(model: SimulatedModel, values: Record<string, string | boolean | undefined>): SimulatedPump | undefined {
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const pumpFlags = ['concentration', 'rate', 'vtbi', 'syringe', 'running'].filter((f) => values[f] !== undefined);
  if (!SIMULATED_PUMP_MODELS.includes(model)) {
    if (pumpFlags.length > 0) throw new UsageError(`--${pumpFlags[0]}: only for a pump model (asena-gh)`);
    return undefined;
  }
  const concentrationMgPerMl = numberOption('concentration', str('concentration'));
  const rateMlPerHour = numberOption('rate', str('rate'));
  if (concentrationMgPerMl === undefined || rateMlPerHour === undefined) {
    throw new UsageError('--concentration <mg/mL> and --rate <mL/h> are required for asena-gh');
  }
  const vtbiMl = numberOption('vtbi', str('vtbi'));
  const syringeVolumeMl = numberOption('syringe', str('syringe'));
  return {
    concentrationMgPerMl, rateMlPerHour, running: values['running'] === true,
    ...(vtbiMl !== undefined ? { vtbiMl } : {}), ...(syringeVolumeMl !== undefined ? { syringeVolumeMl } : {}),
  };
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
      serial: { type: 'string' }, baud: { type: 'string' },
      bed: { type: 'string', default: 'bed-1' }, device: { type: 'string' },
      'control-port': { type: 'string' }, seed: { type: 'string' }, 'time-scale': { type: 'string' },
      weight: { type: 'string' }, concentration: { type: 'string' }, rate: { type: 'string' }, vtbi: { type: 'string' },
      syringe: { type: 'string' }, running: { type: 'boolean' },
      'unit-id': { type: 'string' }, 'nibp-interval': { type: 'string' },
      'log-level': { type: 'string', default: 'warn' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(RUN_HELP);
    return 0;
  }
  const model = modelOf(values.model);
  const pump = pumpOf(model, values);
  const tcpPort = numberOption('tcp', values.tcp, true);
  const isMonitor = model === 'modbus-monitor';
  const isModbus = isMonitor || model === 'modbus-syringe-pump';
  const baudRate = numberOption('baud', values.baud ?? (isModbus ? '19200' : pump ? '38400' : '9600'), true) as number;
  const deviceId = values.device ?? (pump ? 'pump' : isMonitor ? 'monitor' : 'oximeter');
  const unitId = numberOption('unit-id', values['unit-id'], true);
  const nibpIntervalSeconds = numberOption('nibp-interval', values['nibp-interval'], true);
  if (nibpIntervalSeconds !== undefined && !isMonitor) throw new UsageError('--nibp-interval: only for modbus-monitor');
  const weightKg = numberOption('weight', values.weight);
  const controlPort = numberOption('control-port', values['control-port'], true);
  const seed = numberOption('seed', values.seed, true);
  const timeScale = numberOption('time-scale', values['time-scale']);
  const level = values['log-level'] as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level: unknown level "${level}"`);
  if (tcpPort === undefined && values.serial === undefined) throw new UsageError('give --tcp <port> and/or --serial <path>');

  const host = new SimulatorHost({ logger: createLogger({ level }, process.stderr) });
  try {
    host.addBed(values.bed, {
      ...(seed !== undefined ? { seed } : {}), ...(timeScale !== undefined ? { timeScale } : {}),
      ...(weightKg !== undefined ? { weightKg } : {}),
    });
    const first = tcpPort !== undefined
      ? { kind: 'tcp' as const, host: values.host, port: tcpPort }
      : { kind: 'serial' as const, path: values.serial as string, baudRate };
    await host.addDevice({
      bedId: values.bed, deviceId, model, listen: first, ...(pump ? { pump } : {}), ...(unitId !== undefined ? { unitId } : {}),
      ...(nibpIntervalSeconds !== undefined ? { monitor: { nibpIntervalSeconds } } : {}),
    });
    if (first.kind === 'tcp' && values.serial !== undefined) {
      await host.addOutput(values.bed, deviceId, { kind: 'serial', path: values.serial, baudRate });
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
