/**
 * The pump panel inside a bed tile: drug and concentration, the read-back rate (large),
 * dose, volume infused, VTBI, time remaining, run state, the pump's order, a notice when
 * the pump was changed at its own keypad, and the Change rate / Stop buttons. A reading
 * that is not live greys the whole panel and says so.
 */
import type { ClientState } from './client-state.js';
import { isOpenOrder } from './client-state.js';
import type { ObservationDto, PumpViewDto } from './protocol-types.js';
import { button, el, setData, setText } from './dom.js';
import { formatClock } from './format.js';
import { orderTone, stateLabel, targetText } from './order-flow.js';
import { pumpPanelView } from './pump-format.js';

/** What the panels may ask of the page. */
export interface PumpActions {
  openRateChange(bedId: string, deviceId: string): void;
  openStop(bedId: string, deviceId: string): void;
  openOrder(orderId: string): void;
  dismissChange(bedId: string, deviceId: string): void;
}

function fact(label: string, testId: string): { root: HTMLElement; value: HTMLElement } {
  const root = el('div', 'pump-fact');
  const name = el('span', 'pump-fact-label');
  name.textContent = label;
  const value = el('span', 'pump-fact-value', testId);
  root.append(name, value);
  return { root, value };
}

export class PumpPanel {
  readonly root: HTMLElement;
  private readonly title: HTMLElement;
  private readonly drug: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly state: HTMLElement;
  private readonly rate: HTMLElement;
  private readonly dose: HTMLElement;
  private readonly volume: HTMLElement;
  private readonly vtbi: HTMLElement;
  private readonly remaining: HTMLElement;
  private readonly liveNote: HTMLElement;
  private readonly change: HTMLElement;
  private readonly changeText: HTMLElement;
  private readonly order: HTMLButtonElement;
  private readonly changeRate: HTMLButtonElement;
  private readonly stop: HTMLButtonElement;
  private readonly hint: HTMLElement;
  private orderId: string | null = null;

  constructor(private readonly bedId: string, private readonly deviceId: string, actions: PumpActions) {
    const key = `${bedId}-${deviceId}`;
    this.root = el('div', 'pump', `pump-${key}`);
    const head = el('div', 'pump-head');
    this.title = el('span', 'pump-title');
    this.drug = el('span', 'pump-drug', `pump-drug-${key}`);
    this.badge = el('span', 'pump-badge');
    this.state = el('span', 'pump-state', `pump-state-${key}`);
    head.append(this.title, this.badge, this.state);

    const main = el('div', 'pump-main');
    const rateBox = el('div', 'pump-rate');
    this.rate = el('span', 'pump-rate-value', `pump-rate-${key}`);
    const rateUnit = el('span', 'pump-unit');
    rateUnit.textContent = 'mL/h';
    rateBox.append(this.rate, rateUnit);
    const doseBox = el('div', 'pump-dose');
    this.dose = el('span', 'pump-dose-value', `pump-dose-${key}`);
    const doseUnit = el('span', 'pump-unit');
    doseUnit.textContent = 'mg/kg/h';
    doseBox.append(this.dose, doseUnit);
    main.append(rateBox, doseBox);

    const facts = el('div', 'pump-facts');
    const volume = fact('Vol. infused', `pump-volume-${key}`);
    const vtbi = fact('VTBI', `pump-vtbi-${key}`);
    const remaining = fact('Time left', `pump-remaining-${key}`);
    facts.append(volume.root, vtbi.root, remaining.root);
    [this.volume, this.vtbi, this.remaining] = [volume.value, vtbi.value, remaining.value];

    this.liveNote = el('div', 'pump-live-note', `pump-live-${key}`);
    this.change = el('div', 'pump-change', `pump-change-${key}`);
    this.changeText = el('span', 'pump-change-text');
    this.change.append(this.changeText, button('Dismiss', 'btn btn-small', `pump-change-dismiss-${key}`, () => actions.dismissChange(bedId, deviceId)));
    this.order = button('', 'pump-order', `pump-order-${key}`, () => {
      if (this.orderId !== null) actions.openOrder(this.orderId);
    });
    const buttons = el('div', 'pump-actions');
    this.changeRate = button('Change rate', 'btn btn-primary', `pump-change-rate-${key}`, () => actions.openRateChange(bedId, deviceId));
    this.stop = button('Stop', 'btn btn-danger', `pump-stop-${key}`, () => actions.openStop(bedId, deviceId));
    this.hint = el('span', 'pump-hint');
    buttons.append(this.changeRate, this.stop, this.hint);
    this.root.append(head, this.drug, main, facts, this.liveNote, this.change, this.order, buttons);
  }

  /** Brings the panel up to date at server time `serverNow`. */
  update(pump: PumpViewDto, state: ClientState, timeRemaining: ObservationDto | undefined, serverNow: number, loggedIn: boolean): void {
    const view = pumpPanelView(pump, timeRemaining, serverNow);
    setText(this.title, pump.label);
    setText(this.drug, view.drug);
    setText(this.badge, pump.programme.highAlert ? 'HIGH-ALERT' : '');
    setText(this.state, view.state);
    setData(this.root, 'run', view.stateTone);
    setData(this.root, 'live', String(view.live));
    setText(this.rate, view.rate);
    setText(this.dose, view.dose);
    setText(this.volume, view.volumeInfused);
    setText(this.vtbi, view.vtbi);
    setText(this.remaining, view.timeRemaining);
    setText(this.liveNote, view.liveNote);
    this.liveNote.hidden = view.live;

    const change = state.pumpChange(this.bedId, this.deviceId);
    this.change.hidden = !change;
    if (change) {
      const what = change.kind === 'rate' ? 'rate' : 'run state';
      setText(this.changeText, `Changed AT THE PUMP at ${formatClock(change.at)}: ${what} ${change.before} → ${change.after}`);
    }

    const order = state.latestOrderOf(this.bedId, this.deviceId);
    this.orderId = order?.id ?? null;
    this.order.hidden = !order;
    if (order) {
      const prefix = isOpenOrder(order) ? 'Order' : 'Last order';
      // The target stays hidden while a second nurse works it out independently.
      const kind = order.kind === 'stop' ? 'stop' : order.state === 'awaiting-double-check' ? 'rate change' : targetText(order);
      setText(this.order, `${prefix}: ${kind} · ${stateLabel(order.state)} · open ›`);
      setData(this.order, 'tone', orderTone(order.state));
    }
    const busy = pump.openOrderId !== null || (order !== undefined && isOpenOrder(order));
    const blocked = !loggedIn || busy || !view.live;
    this.changeRate.disabled = blocked;
    this.stop.disabled = blocked || pump.reading.runState === 'stopped';
    const hint = !loggedIn ? 'Log in to change this pump' : busy ? 'An order is open for this pump' : !view.live ? 'Pump not live: change it at the bedside' : '';
    setText(this.hint, hint);
  }
}
