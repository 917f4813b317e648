/**
 * The rate-change dialog's logic, DOM-free (unit-tested in Node): which step an order
 * is at, dose <-> rate conversion for display, limits and states in words, the expiry
 * countdown. The server's order is always the authority; conversions here only help
 * the nurse see what they are typing.
 */
import type { DoseUnitDto, InfusionProgrammeDto, LimitCheckDto, OrderStateDto, OrderViewDto } from './protocol-types.js';

/** The dialog's steps, in order. `done`: the order reached a final state. */
export type DialogStep = 'request' | 'confirm' | 'double-check' | 'progress' | 'done';

/** The step an order is at (no order yet: `request`). */
export function stepOf(order: OrderViewDto | undefined): DialogStep {
  if (!order) return 'request';
  switch (order.state) {
    case 'awaiting-confirmation':
      return 'confirm';
    case 'awaiting-double-check':
      return 'double-check';
    case 'executing':
    case 'awaiting-readback':
      return 'progress';
    default:
      return 'done';
  }
}

/** The steps shown for an order of this kind and drug. */
export function stepsFor(kind: 'rate-change' | 'stop', highAlert: boolean): Array<{ step: DialogStep; label: string }> {
  const steps: Array<{ step: DialogStep; label: string }> = [
    { step: 'request', label: kind === 'stop' ? 'Stop request' : 'Request' },
    { step: 'confirm', label: 'Nurse confirmation' },
  ];
  if (kind === 'rate-change' && highAlert) steps.push({ step: 'double-check', label: 'Double check' });
  steps.push({ step: 'progress', label: 'Pump read-back' });
  return steps;
}

/** mL/h for a value in either unit: mL/h = mg/kg/h x kg / (mg/mL). Null when not computable. */
export function toMlPerHour(value: number, unit: DoseUnitDto, p: InfusionProgrammeDto): number | null {
  if (!Number.isFinite(value)) return null;
  if (unit === 'mL/h') return value;
  if (!(p.concentrationMgPerMl > 0) || !(p.patientWeightKg > 0)) return null;
  return (value * p.patientWeightKg) / p.concentrationMgPerMl;
}

/** mg/kg/h for a value in either unit. Null when not computable. */
export function toMgPerKgPerHour(value: number, unit: DoseUnitDto, p: InfusionProgrammeDto): number | null {
  if (!Number.isFinite(value)) return null;
  if (unit === 'mg/kg/h') return value;
  if (!(p.concentrationMgPerMl > 0) || !(p.patientWeightKg > 0)) return null;
  return (value * p.concentrationMgPerMl) / p.patientWeightKg;
}

/** A rate in mL/h with the pump's resolution: 2 decimals. */
export function formatRate(mlPerHour: number | null): string {
  return mlPerHour === null || !Number.isFinite(mlPerHour) ? '--' : mlPerHour.toFixed(2);
}

/** A dose in mg/kg/h: at least 2 decimals, up to 3 (0.75, 0.125), never rounded to look rounder. */
export function formatDose(dose: number | null): string {
  if (dose === null || !Number.isFinite(dose)) return '--';
  const three = dose.toFixed(3);
  return three.endsWith('0') ? dose.toFixed(2) : three;
}

/** A value in its unit, e.g. `0.75 mg/kg/h`, `5.25 mL/h`. */
export function formatInUnit(value: number | null, unit: DoseUnitDto): string {
  return `${unit === 'mL/h' ? formatRate(value) : formatDose(value)} ${unit}`;
}

/** What a typed value is in the other unit, e.g. `= 5.25 mL/h`; '' when nothing valid is typed. */
export function otherUnitText(text: string, unit: DoseUnitDto, p: InfusionProgrammeDto): string {
  const value = parseDoseInput(text);
  if (value === null) return '';
  const other: DoseUnitDto = unit === 'mL/h' ? 'mg/kg/h' : 'mL/h';
  const converted = other === 'mL/h' ? toMlPerHour(value, unit, p) : toMgPerKgPerHour(value, unit, p);
  return converted === null ? '' : `= ${formatInUnit(converted, other)}`;
}

/** A typed number (`0.75`, `0,75`), or null when it is not a positive finite number. */
export function parseDoseInput(text: string): number | null {
  const trimmed = text.trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** The drug library's limits in words. */
export function limitsText(l: LimitCheckDto): string {
  const n = (v: number): string => String(Number(v.toFixed(3)));
  return `Drug library: soft ${n(l.softMin)}–${n(l.softMax)} ${l.unit} · hard ${n(l.hardMin)}–${n(l.hardMax)} ${l.unit}`;
}

/** Where the dose fell, in words. */
export function bandText(l: LimitCheckDto): string {
  if (l.band === 'within') return 'Within the soft limits';
  const side = l.band === 'soft-low' ? 'BELOW the soft minimum' : 'ABOVE the soft maximum';
  return l.overrideReason ? `${side} · override reason: ${l.overrideReason}` : side;
}

const STATE_LABELS: Record<OrderStateDto, string> = {
  'awaiting-confirmation': 'Awaiting nurse confirmation',
  'awaiting-double-check': 'Awaiting independent double check',
  executing: 'Programming the pump…',
  'awaiting-readback': 'Reading the pump back…',
  verified: 'Verified',
  'not-verified': 'NOT VERIFIED',
  refused: 'Refused',
  expired: 'Expired',
  cancelled: 'Cancelled',
};

export function stateLabel(state: OrderStateDto): string {
  return STATE_LABELS[state] ?? state;
}

/** Colour class of a state: waiting for people, working, verified, alarm, or closed without effect. */
export type OrderTone = 'waiting' | 'working' | 'ok' | 'alarm' | 'closed';

export function orderTone(state: OrderStateDto): OrderTone {
  switch (state) {
    case 'awaiting-confirmation':
    case 'awaiting-double-check':
      return 'waiting';
    case 'executing':
    case 'awaiting-readback':
      return 'working';
    case 'verified':
      return 'ok';
    case 'not-verified':
      return 'alarm';
    default:
      return 'closed';
  }
}

/** `1:45` for 105 s left; `0:00` once past. Rounds up, so 0:00 means expired. */
export function formatCountdown(msLeft: number): string {
  const s = Math.max(0, Math.ceil(msLeft / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** `Expires in 1:45`, or that it has expired (the server then refuses the next step). */
export function expiryText(msLeft: number): string {
  return msLeft > 0 ? `Expires in ${formatCountdown(msLeft)}` : 'Expired: the next step will be refused; request again';
}

/** Text ending with a full stop. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** What happened to an order that is executing or finished, in words a nurse reads. */
export function outcomeText(order: OrderViewDto): string {
  const read = order.readback;
  switch (order.state) {
    case 'verified':
      return `The pump reads ${read ? `${formatInUnit(read.rateMlPerHour, 'mL/h')}, ${read.runState}` : 'as ordered'}.`;
    case 'not-verified':
      return `${sentence(order.outcome?.message ?? 'The pump did not confirm the change')} Nothing was retried. Check the pump at the bedside.`;
    case 'executing':
    case 'awaiting-readback':
      return `${targetText(order)}: waiting for the pump to answer.`;
    default:
      return order.outcome ? sentence(order.outcome.message) : '';
  }
}

/** What the order asks for, in words, e.g. `8.00 mL/h (1.14 mg/kg/h)` or `Stop the infusion`. */
export function targetText(order: OrderViewDto): string {
  if (order.kind === 'stop') return 'Stop the infusion';
  return `${formatRate(order.targetRateMlPerHour)} mL/h (${formatDose(order.targetDoseMgPerKgPerHour)} mg/kg/h)`;
}
