/**
 * One alarm row of a bed tile: priority marker, message, state markers (acknowledged by
 * whom, latched, audio paused, escalation tier and target), kind, age, and Acknowledge.
 * The row keeps its colour and flashing whatever its state (IEC 60601-1-8: no
 * inactivation state removes the visual signal); markers and the sound say the rest.
 */
import type { AlarmDto } from './protocol-types.js';
import { alarmBadges } from './alarm-format.js';
import { button, el, setData, setText } from './dom.js';
import { formatAge, priorityMarker } from './format.js';

/** What the rows need of the page's alarm control. */
export interface AlarmRowContext {
  /** The gateway has alarm control. */
  readonly on: boolean;
  /** A nurse or physician is logged in. */
  readonly canAct: boolean;
}

interface RowParts {
  readonly marker: HTMLElement;
  readonly text: HTMLElement;
  readonly meta: HTMLElement;
  readonly kind: HTMLElement;
  readonly age: HTMLElement;
  readonly ack: HTMLButtonElement;
}

const parts = new WeakMap<HTMLElement, RowParts>();
/** The alarm a row's Acknowledge button is for (the row is reused per alarm id). */
const alarmOfRow = new WeakMap<HTMLElement, string>();

/** A new row for an alarm of a bed (`data-testid` alarm-<bed>-<code>). */
export function createAlarmRow(bedId: string, alarm: AlarmDto, onAcknowledge: (alarmId: string) => void): HTMLElement {
  const row = el('div', 'alarm', `alarm-${bedId}-${alarm.code}`);
  const main = el('span', 'alarm-main');
  const text = el('span', 'alarm-text');
  // Under the message: the state markers, and Acknowledge at the right (the message keeps the width).
  const foot = el('span', 'alarm-foot');
  const meta = el('span', 'alarm-meta', `alarm-meta-${bedId}-${alarm.code}`);
  const ack = button('Acknowledge', 'btn btn-small alarm-ack', `ack-${bedId}-${alarm.code}`, () => {
    const id = alarmOfRow.get(row);
    if (id !== undefined) onAcknowledge(id);
  });
  foot.append(meta, ack);
  main.append(text, foot);
  const p: RowParts = { marker: el('span', 'alarm-marker'), text, meta, kind: el('span', 'alarm-kind'), age: el('span', 'alarm-age'), ack };
  row.append(p.marker, main, p.kind, p.age);
  parts.set(row, p);
  return row;
}

/** Brings a row up to date. */
export function updateAlarmRow(row: HTMLElement, alarm: AlarmDto, serverNow: number, context: AlarmRowContext | undefined): void {
  const p = parts.get(row);
  if (!p) return;
  alarmOfRow.set(row, alarm.id);
  const className = `alarm alarm-${alarm.priority} alarm-${alarm.kind}`;
  if (row.className !== className) row.className = className;
  setData(row, 'priority', alarm.priority);
  setData(row, 'acknowledged', String(alarm.acknowledged === true));
  setData(row, 'latched', String(alarm.latched === true));
  setData(row, 'audible', String(alarm.audible ?? true));
  setText(p.marker, priorityMarker(alarm.priority));
  setText(p.text, alarm.message);
  setText(p.kind, alarm.kind === 'technical' ? 'TECHNICAL' : '');
  setText(p.age, formatAge(serverNow - alarm.startedAt));
  const badges = alarmBadges(alarm);
  const signature = badges.map((b) => `${b.key}:${b.text}`).join('|');
  if (p.meta.dataset.signature !== signature) {
    p.meta.dataset.signature = signature;
    p.meta.replaceChildren(
      ...badges.map((b) => {
        const badge = el('span', `alarm-badge alarm-badge-${b.key}`);
        badge.textContent = b.text;
        return badge;
      }),
    );
  }
  const showAck = context?.on === true && alarm.acknowledged !== true && alarm.acknowledged !== undefined;
  p.ack.hidden = !showAck;
  setData(row, 'foot', String(showAck || badges.length > 0));
  p.ack.disabled = !context?.canAct;
  p.ack.title = context?.canAct ? 'Acknowledge: silences this alarm; it stays shown while its condition holds' : 'Log in as a nurse or physician to acknowledge';
}
