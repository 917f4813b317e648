import { callControlApi, describeControlError } from '../control/control-client.js';
import { SIM_EVENT_TYPES } from '../sim-events.js';
import { DEFAULT_CONTROL_URL, numberOption, parseCommandArgs, UsageError, type SimCliIo } from './cli-support.js';

export const EVENT_HELP = `vigil sim event - trigger an event on a running simulator (daemon or vigil sim run)

Usage:
  vigil sim event <bed> <patient-event> [options]
  vigil sim event <bed> <device> <device-event> [<value>] [options]

Patient events: desaturation [--target-spo2 82] [--ramp-seconds 20] [--hold-seconds 120]
                pulse-change --target-bpm 130 [--ramp-seconds 20] [--hold-seconds 120]
                recover
Device events:  sensor-off [--seconds 30] | silence [--seconds 30] | garbage [--bytes 40]
                disconnect [--seconds 30] | resume
                (without --seconds a fault lasts until resume)
Pump events:    occlusion | air-in-line | door-open | low-battery | clear-alarms
                corrupt-replies [--seconds 30] | wrong-rate [<factor> | --factor 1.1]
                keypad-rate <mL/h> (or --rate <mL/h>) | keypad-stop | keypad-start
                silence, garbage, disconnect and resume as above
Monitor events: nibp-measure | leads-off | cuff-error | co2-occlusion | corrupt-crc
  (modbus-monitor) (the last four take [--seconds 30]); sensor-off (SpO2), silence,
                garbage, disconnect and resume as above

  --control URL  control API, default ${DEFAULT_CONTROL_URL}`;

export const LIST_HELP = `vigil sim list - list the simulated devices of a running simulator

Usage:
  vigil sim list [--control ${DEFAULT_CONTROL_URL}] [--json]`;

const NUMERIC_OPTIONS = {
  'target-spo2': 'targetSpo2',
  'target-bpm': 'targetBpm',
  seconds: 'seconds',
  'ramp-seconds': 'rampSeconds',
  'hold-seconds': 'holdSeconds',
  bytes: 'bytes',
  rate: 'rateMlPerHour',
  factor: 'factor',
} as const;

/** Events whose main number may be given as a value after the event type. */
const VALUE_PARAMETER: Readonly<Record<string, string>> = { 'keypad-rate': 'rateMlPerHour', 'wrong-rate': 'factor' };

/** `vigil sim event`: posts one event to the control API. */
export async function runSimEvent(args: string[], io: SimCliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      'target-spo2': { type: 'string' }, 'target-bpm': { type: 'string' }, seconds: { type: 'string' },
      'ramp-seconds': { type: 'string' }, 'hold-seconds': { type: 'string' }, bytes: { type: 'string' },
      rate: { type: 'string' }, factor: { type: 'string' },
      control: { type: 'string', default: DEFAULT_CONTROL_URL }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(EVENT_HELP);
    return 0;
  }
  if (positionals.length < 2 || positionals.length > 4) {
    throw new UsageError(`expected <bed> [<device>] <event-type> [<value>], got ${positionals.length} argument(s)`);
  }
  const [bedId, deviceId, type, value] =
    positionals.length >= 3
      ? [positionals[0] as string, positionals[1] as string, positionals[2] as string, positionals[3]]
      : [positionals[0] as string, null, positionals[1] as string, undefined];
  if (!(SIM_EVENT_TYPES as readonly string[]).includes(type)) {
    throw new UsageError(`unknown event type "${type}" (expected one of: ${SIM_EVENT_TYPES.join(', ')})`);
  }
  const event: Record<string, unknown> = { type };
  for (const [flag, key] of Object.entries(NUMERIC_OPTIONS)) {
    const n = numberOption(flag, values[flag as keyof typeof NUMERIC_OPTIONS]);
    if (n !== undefined) event[key] = n;
  }
  if (value !== undefined) {
    const key = VALUE_PARAMETER[type];
    if (!key) throw new UsageError(`"${type}" takes no value ("${value}"); values are for ${Object.keys(VALUE_PARAMETER).join(', ')}`);
    if (event[key] !== undefined) throw new UsageError(`"${type}": give the value once (as "${value}" or as an option)`);
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${type}: "${value}" is not a number`);
    event[key] = n;
  }
  const path = ['simulators', bedId, ...(deviceId === null ? [] : [deviceId]), 'events'].map(encodeURIComponent).join('/');
  const res = await callControlApi(values.control, 'POST', path, event);
  if (!res.reached) {
    io.err(`vigil sim event: ${res.message}`);
    return 1;
  }
  if (res.status !== 200) {
    io.err(`vigil sim event: ${describeControlError(res.status, res.body)}`);
    return 1;
  }
  io.out(`${bedId}${deviceId === null ? '' : `/${deviceId}`}: ${JSON.stringify(event)} sent`);
  return 0;
}

/** `vigil sim list`: prints the simulated devices of a running simulator. */
export async function runSimList(args: string[], io: SimCliIo): Promise<number> {
  const { values } = parseCommandArgs({
    args,
    options: {
      control: { type: 'string', default: DEFAULT_CONTROL_URL }, json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(LIST_HELP);
    return 0;
  }
  const res = await callControlApi(values.control, 'GET', 'simulators');
  if (!res.reached) {
    io.err(`vigil sim list: ${res.message}`);
    return 1;
  }
  if (res.status !== 200 || !Array.isArray(res.body)) {
    io.err(`vigil sim list: ${describeControlError(res.status, res.body)}`);
    return 1;
  }
  if (values.json) {
    io.out(JSON.stringify(res.body, null, 2));
    return 0;
  }
  const header = ['BED', 'DEVICE', 'MODEL', 'STATE', 'LISTEN', 'DETAIL'];
  const keys = ['bedId', 'deviceId', 'model', 'state', 'listen', 'detail'];
  const rows = (res.body as Array<Record<string, unknown>>).map((r) => keys.map((k) => String(r[k] ?? '')));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  for (const row of [header, ...rows]) io.out(row.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd());
  if (rows.length === 0) io.out('(no simulated devices)');
  return 0;
}
