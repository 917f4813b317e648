/**
 * The rate-change (and stop) dialog: request -> nurse confirmation -> independent
 * double check by a second nurse (high-alert drugs) -> live state until verified or
 * not verified. The dialog only passes requests and signatures to the gateway; every
 * step it shows comes from the server's order (live over the WebSocket), and every
 * refusal is shown in words. For the double check the ordered value is hidden: the
 * second nurse works it out from the prescription and types it.
 */
import type { ApiError, StationApiClient } from './api-client.js';
import type { ClientState } from './client-state.js';
import type { DoseUnitDto, LimitCheckDto, OrderViewDto } from './protocol-types.js';
import { button, el, setData, setText } from './dom.js';
import {
  bandText, expiryText, formatInUnit, limitsText, otherUnitText, outcomeText, parseDoseInput,
  stateLabel, stepOf, stepsFor, targetText, orderTone, type DialogStep,
} from './order-flow.js';
import { OutcomeSection, RequestSection, SignatureSection } from './order-steps.js';

interface Target {
  mode: 'rate-change' | 'stop';
  bedId: string;
  deviceId: string;
  orderId: string | null;
}

export class OrderDialog {
  readonly root = el('div', 'modal-backdrop', 'order-dialog');
  private readonly title = el('h2', 'modal-title', 'dialog-title');
  private readonly pumpLine = el('div', 'dialog-pump', 'dialog-pump');
  private readonly steps = el('ol', 'steps', 'dialog-steps');
  private readonly orderBox = el('div', 'order-summary', 'order-summary');
  private readonly orderTarget = el('div', 'order-target', 'order-target');
  private readonly orderPeople = el('div', 'order-people', 'order-people');
  private readonly orderLimits = el('div', 'order-limits', 'order-limits');
  private readonly expiry = el('div', 'order-expiry', 'order-expiry');
  private readonly error = el('div', 'dialog-error', 'dialog-error');
  private readonly request: RequestSection;
  private readonly confirmStep: SignatureSection;
  private readonly doubleCheck: SignatureSection;
  private readonly outcome: OutcomeSection;
  private target: Target | null = null;
  private unit: DoseUnitDto = 'mg/kg/h';
  private limitCheck: LimitCheckDto | null = null;
  private needReason = false;
  private busy = false;
  private shownStep: DialogStep | null = null;
  private readonly acknowledged = new Set<string>();

  constructor(private readonly api: StationApiClient, private readonly state: ClientState, private readonly onChanged: () => void) {
    this.root.hidden = true;
    const modal = el('div', 'modal');
    modal.setAttribute('role', 'dialog');
    modal.setAttribute('aria-modal', 'true');
    modal.setAttribute('aria-labelledby', 'dialog-title');
    this.title.id = 'dialog-title';
    const head = el('header', 'modal-head');
    head.append(this.title, button('Close', 'btn', 'dialog-close', () => this.close()));
    this.error.setAttribute('role', 'alert');
    this.orderBox.append(this.orderTarget, this.orderLimits, this.orderPeople, this.expiry);
    const typed = (): void => {
      setText(this.error, '');
      this.render();
    };
    this.request = new RequestSection((u) => this.setUnit(u), typed, () => void this.submitRequest());
    const cancel = (): void => void this.cancelOrder();
    this.confirmStep = new SignatureSection('confirm', 'Nurse confirmation', 'Confirm', () => void this.submitConfirm(), cancel);
    this.doubleCheck = new SignatureSection('dc', 'Independent double check by a second nurse', 'Submit double check', () => void this.submitDoubleCheck(), cancel);
    this.outcome = new OutcomeSection(() => void this.acknowledgeOutcome(), () => this.close());
    modal.append(head, this.pumpLine, this.steps, this.orderBox, this.request.root, this.confirmStep.root, this.doubleCheck.root, this.outcome.root, this.error);
    this.root.append(modal);
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close();
    });
  }

  /** Opens a new request for a pump. */
  openNew(mode: 'rate-change' | 'stop', bedId: string, deviceId: string): void {
    this.target = { mode, bedId, deviceId, orderId: null };
    this.unit = this.state.pump(bedId, deviceId)?.programme.dosingUnit ?? 'mg/kg/h';
    this.limitCheck = null;
    this.needReason = false;
    this.request.value.value = '';
    this.request.reason.value = '';
    this.show();
  }

  /** Opens an existing order at its current step. */
  openOrder(orderId: string): void {
    const order = this.state.order(orderId);
    if (!order) return;
    this.target = { mode: order.kind, bedId: order.bedId, deviceId: order.deviceId, orderId };
    this.show();
  }

  close(): void {
    this.target = null;
    this.root.hidden = true;
    this.confirmStep.clear();
    this.doubleCheck.clear();
  }

  /** Re-renders from the live state (called on every page render). */
  render(): void {
    const t = this.target;
    if (!t) return;
    const order = t.orderId === null ? undefined : this.state.order(t.orderId);
    const pump = this.state.pump(t.bedId, t.deviceId);
    const programme = order?.programme ?? pump?.programme;
    // An order this page no longer holds (e.g. after a reconnect) is never shown as a new request.
    const step: DialogStep = t.orderId !== null && !order ? 'done' : stepOf(order);
    if (step !== this.shownStep) this.enterStep(step);
    const bed = this.state.bed(t.bedId)?.label ?? t.bedId;
    setText(this.title, `${t.mode === 'stop' ? 'Stop infusion' : 'Change rate'} · ${bed}`);
    const now = pump?.reading.rateMlPerHour ?? null;
    const drug = programme ? `${programme.drugName} ${programme.concentrationMgPerMl} mg/mL · ${programme.patientWeightKg} kg` : '';
    setText(this.pumpLine, `${pump?.label ?? t.deviceId} · ${drug} · now ${formatInUnit(now, 'mL/h')} (${formatInUnit(pump?.doseMgPerKgPerHour ?? null, 'mg/kg/h')}), ${pump?.reading.runState ?? 'unknown'}`);
    this.renderSteps(t.mode, programme?.highAlert ?? false, step, order);
    this.renderOrder(order, step);

    this.request.root.hidden = step !== 'request';
    this.confirmStep.root.hidden = step !== 'confirm';
    this.doubleCheck.root.hidden = step !== 'double-check';
    this.outcome.root.hidden = step !== 'progress' && step !== 'done';
    if (step === 'request') this.renderRequest(t, programme);
    if (order && step === 'double-check') {
      const unit = order.requestedAs?.unit ?? order.programme.dosingUnit;
      if (this.doubleCheck.valueLabel) setText(this.doubleCheck.valueLabel, `New value (${unit})`);
      setText(this.doubleCheck.intro, `A second nurse (not the one who confirmed or requested) works out the new ${order.programme.drugName} rate from the prescription and types it in ${unit}. The ordered value is hidden here on purpose.`);
    }
    if (order && step === 'confirm') {
      setText(this.confirmStep.intro, 'A nurse checks the order above against the prescription and signs with their own username and password.');
    }
    const canCancel = this.api.user !== null;
    this.confirmStep.cancel.hidden = !canCancel;
    this.doubleCheck.cancel.hidden = !canCancel;
    for (const b of [this.request.submit, this.confirmStep.submit, this.doubleCheck.submit, this.outcome.acknowledge]) b.disabled = this.busy;
    if (order && (step === 'progress' || step === 'done')) this.renderOutcome(order);
    else if (step === 'done') this.renderLost(t.orderId ?? '');
  }

  private show(): void {
    this.shownStep = null;
    setText(this.error, '');
    this.root.hidden = false;
    this.render();
  }

  /** A new step: clear the last error and any typed credentials, focus its first field. */
  private enterStep(step: DialogStep): void {
    this.shownStep = step;
    setText(this.error, '');
    this.confirmStep.clear();
    this.doubleCheck.clear();
    const focus = { request: this.request.value, confirm: this.confirmStep.username, 'double-check': this.doubleCheck.username, progress: null, done: this.outcome.close }[step];
    queueMicrotask(() => focus?.focus());
  }

  private renderSteps(kind: 'rate-change' | 'stop', highAlert: boolean, step: DialogStep, order: OrderViewDto | undefined): void {
    const list = stepsFor(kind, highAlert);
    const current = step === 'done' ? list.length : list.findIndex((s) => s.step === step);
    const signature = `${list.map((s) => s.label).join('|')}#${current}#${order?.state ?? ''}`;
    if (this.steps.dataset.signature === signature) return;
    this.steps.dataset.signature = signature;
    this.steps.replaceChildren(
      ...list.map((s, i) => {
        const li = el('li', 'step', `dialog-step-${s.step}`);
        li.textContent = `${i + 1}. ${s.label}`;
        li.dataset.status = i < current ? 'done' : i === current ? 'current' : 'todo';
        if (s.step === 'progress' && order && step === 'done') li.dataset.tone = orderTone(order.state);
        return li;
      }),
    );
  }

  private renderOrder(order: OrderViewDto | undefined, step: DialogStep): void {
    this.orderBox.hidden = !order;
    if (!order) return;
    const hidden = step === 'double-check' && order.kind === 'rate-change';
    setText(this.orderTarget, hidden ? 'New rate: hidden for the independent double check' : `${order.kind === 'stop' ? '' : 'New rate: '}${targetText(order)}`);
    setText(this.orderLimits, order.limitCheck && !hidden ? `${limitsText(order.limitCheck)} · ${bandText(order.limitCheck)}` : '');
    const people = [`Requested by ${order.requestedBy.displayName}`];
    if (order.confirmedBy) people.push(`confirmed by ${order.confirmedBy.displayName}`);
    if (order.doubleCheckedBy) people.push(`double-checked by ${order.doubleCheckedBy.displayName}`);
    setText(this.orderPeople, people.join(' · '));
    const waiting = step === 'confirm' || step === 'double-check';
    this.expiry.hidden = !waiting;
    if (waiting) setText(this.expiry, expiryText(order.expiresAt - this.state.serverNow(Date.now())));
  }

  private renderRequest(t: Target, programme: OrderViewDto['programme'] | undefined): void {
    const stop = t.mode === 'stop';
    this.request.rateFields.hidden = stop;
    this.request.stopText.hidden = !stop;
    setText(this.request.submit, stop ? 'Request stop' : 'Request change');
    setText(this.request.stopText, 'Stop this infusion? One nurse confirms next; the pump is then told to stop and read back.');
    for (const [unit, b] of Object.entries(this.request.unitButtons)) {
      b.setAttribute('aria-pressed', String(unit === this.unit));
      setData(b, 'selected', String(unit === this.unit));
    }
    setText(this.request.otherUnit, programme ? otherUnitText(this.request.value.value, this.unit, programme) : '');
    setText(this.request.limits, this.limitCheck ? limitsText(this.limitCheck) : 'Drug library limits are checked when you request.');
    this.request.reasonField.hidden = !this.needReason;
  }

  private renderOutcome(order: OrderViewDto): void {
    const tone = orderTone(order.state);
    setData(this.outcome.state, 'tone', tone);
    setText(this.outcome.stateTitle, stateLabel(order.state));
    setText(this.outcome.stateDetail, outcomeText(order));
    const acked = this.acknowledged.has(order.id);
    this.outcome.acknowledge.hidden = order.state !== 'not-verified' || acked;
    this.outcome.acknowledge.disabled = this.busy || this.api.user === null;
    const mustLogIn = order.state === 'not-verified' && !acked && this.api.user === null;
    this.outcome.acknowledged.hidden = !acked && !mustLogIn;
    setText(this.outcome.acknowledged, acked ? 'Acknowledged: the alarm is ended; the order stays not verified.' : mustLogIn ? 'Log in to acknowledge.' : '');
  }

  private renderLost(orderId: string): void {
    setData(this.outcome.state, 'tone', 'closed');
    setText(this.outcome.stateTitle, 'Order not shown');
    setText(this.outcome.stateDetail, `This page no longer holds order ${orderId}. See the pump panel and the audit log.`);
    this.outcome.acknowledge.hidden = true;
    this.outcome.acknowledged.hidden = true;
  }

  private setUnit(unit: DoseUnitDto): void {
    if (unit === this.unit) return;
    this.unit = unit;
    this.request.value.value = ''; // no silent conversion: the nurse types the value in the chosen unit
    this.limitCheck = null;
    this.render();
    this.request.value.focus();
  }

  private async submitRequest(): Promise<void> {
    const t = this.target;
    if (!t || this.busy) return;
    if (t.mode === 'stop') return this.run('Stop request refused', () => this.api.requestStop(t.bedId, t.deviceId));
    const value = parseDoseInput(this.request.value.value);
    if (value === null) return this.fail(`Enter the new value as a positive number in ${this.unit}.`);
    const reason = this.request.reason.value.trim();
    const body = { bedId: t.bedId, deviceId: t.deviceId, value, unit: this.unit, ...(reason ? { overrideReason: reason } : {}) };
    await this.run('Request refused', () => this.api.requestRateChange(body), (error) => {
      if (error.limitCheck) this.limitCheck = error.limitCheck;
      if (error.reason === 'OVERRIDE_REASON_REQUIRED') {
        this.needReason = true;
        queueMicrotask(() => this.request.reason.focus());
      }
    });
  }

  private async submitConfirm(): Promise<void> {
    const id = this.target?.orderId;
    const s = this.confirmStep;
    if (!id || this.busy) return;
    const [username, password] = [s.username.value.trim(), s.password.value];
    if (!username || !password) return this.fail('Enter your username and password to confirm.');
    s.password.value = '';
    await this.run('Not confirmed', () => this.api.confirm(id, username, password));
  }

  private async submitDoubleCheck(): Promise<void> {
    const id = this.target?.orderId;
    const s = this.doubleCheck;
    if (!id || this.busy) return;
    const [username, password, value] = [s.username.value.trim(), s.password.value, parseDoseInput(s.value?.value ?? '')];
    if (!username || !password) return this.fail('Enter your username and password for the double check.');
    if (value === null) return this.fail('Type the new value you worked out, as a positive number.');
    s.password.value = '';
    await this.run('Double check refused', () => this.api.doubleCheck(id, username, password, value));
  }

  private async cancelOrder(): Promise<void> {
    const id = this.target?.orderId;
    const user = this.api.user;
    if (!id || !user || this.busy) return;
    await this.run('Not cancelled', () => this.api.cancel(id, `cancelled at the nurse station by ${user.displayName}`));
  }

  private async acknowledgeOutcome(): Promise<void> {
    const id = this.target?.orderId;
    if (!id || this.busy) return;
    await this.run('Not acknowledged', () => this.api.acknowledge(id));
    if (this.error.textContent === '') this.acknowledged.add(id);
    this.render();
  }

  /** Runs one call; an order answer moves the dialog on, a refusal is shown in words. */
  private async run(failure: string, call: () => Promise<{ ok: true; data: { order: OrderViewDto } } | { ok: false; error: ApiError }>, onError?: (e: ApiError) => void): Promise<void> {
    this.busy = true;
    setText(this.error, '');
    this.render();
    const result = await call();
    this.busy = false;
    if (result.ok) {
      if (this.target) this.target.orderId = result.data.order.id;
      this.state.applyOrder(result.data.order);
    } else {
      onError?.(result.error);
      this.fail(`${failure}: ${result.error.message}`);
    }
    this.onChanged();
    this.render();
  }

  private fail(message: string): void {
    setText(this.error, message);
  }
}
