import { callControlApi, describeControlError } from '../control/control-client.js';
import type { SimulatedBedInfo } from '../sim-host.js';
import { DEFAULT_CONTROL_URL, parseCommandArgs, UsageError, type SimCliIo } from './cli-support.js';

export const PATIENT_HELP = `vigil sim patient - show a bed's virtual patient: vitals, ketamine, pumps

Usage:
  vigil sim patient <bed> [--control ${DEFAULT_CONTROL_URL}] [--json]`;

/** A number with `digits` decimals, or `-` when absent. */
function num(value: number | null | undefined, digits = 0): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '-';
}

function signed(value: number | undefined, digits = 1): string {
  return typeof value === 'number' ? `${value >= 0 ? '+' : ''}${value.toFixed(digits)}` : '-';
}

/** The bed as a few readable lines. */
export function formatBed(bed: SimulatedBedInfo): string[] {
  const v = bed.vitals;
  const d = bed.drug;
  const lines = [
    `${bed.bedId}: ${num(d?.weightKg)} kg, ketamine sensitivity ${num(d?.sensitivity, 2)}` +
      `${d?.hypertensiveResponder ? ' (hypertensive responder)' : ''}`,
    `  vitals    SpO2 ${num(v.spo2)} %  HR ${num(v.pulseRate)} /min  BP ${num(v.nibpSysMmHg)}/${num(v.nibpDiaMmHg)}` +
      ` (${num(v.nibpMeanMmHg)}) mmHg  RR ${num(v.respRate)} /min  EtCO2 ${num(v.etco2MmHg)} mmHg` +
      `  T ${num(v.temperatureC, 1)} C  PI ${num(v.perfusionIndex, 2)} %`,
    `  ketamine  Cp ${num(d?.cpNgPerMl, 1)} ng/mL  Ce ${num(d?.ceNgPerMl, 1)} ng/mL  given ${num(d?.administeredMg, 2)} mg` +
      `  response BP ${signed(d?.changes.systolicMmHg)}/${signed(d?.changes.diastolicMmHg)} mmHg, HR ${signed(d?.changes.heartRatePerMin)} /min`,
  ];
  for (const p of bed.pumps ?? []) {
    lines.push(
      `  pump ${p.deviceId}  ${p.running ? 'running' : 'stopped'} ${num(p.rateMlPerHour, 2)} mL/h` +
        ` (${num(p.doseMgPerKgPerHour, 3)} mg/kg/h) at ${num(p.concentrationMgPerMl, 2)} mg/mL, ${num(p.volumeInfusedMl, 3)} mL infused,` +
        ` VTBI left ${num(p.vtbiRemainingMl, 3)} mL, alarms ${p.alarms.length ? p.alarms.join(', ') : 'none'},` +
        ` link ${p.link}${p.faults.length ? ` (${p.faults.join(', ')})` : ''}, remote control ${p.remoteControl ? 'on' : 'off'}`,
    );
  }
  lines.push(`  effects   ${bed.effects.length ? bed.effects.join('; ') : 'none'}`);
  return lines;
}

/** `vigil sim patient <bed>`: prints the bed's patient and pumps. */
export async function runSimPatient(args: string[], io: SimCliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      control: { type: 'string', default: DEFAULT_CONTROL_URL }, json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(PATIENT_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one <bed>, got ${positionals.length} argument(s)`);
  const bedId = positionals[0] as string;
  const res = await callControlApi(values.control, 'GET', `simulators/${encodeURIComponent(bedId)}`);
  if (!res.reached) {
    io.err(`vigil sim patient: ${res.message}`);
    return 1;
  }
  const body = res.body as Partial<SimulatedBedInfo> | null;
  if (res.status !== 200 || typeof body !== 'object' || body === null || typeof body.vitals !== 'object') {
    io.err(`vigil sim patient: ${describeControlError(res.status, res.body)}`);
    return 1;
  }
  if (values.json) io.out(JSON.stringify(body, null, 2));
  else for (const line of formatBed(body as SimulatedBedInfo)) io.out(line);
  return 0;
}
