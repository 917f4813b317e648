/**
 * The sections of the rate-change dialog, one per step, as plain DOM: the request
 * (value, unit toggle, the other unit, limits, override reason), a signature (nurse
 * confirmation, or the independent double check with the value typed again), and the
 * outcome (live state, verified / not verified, Acknowledge). Behaviour lives in
 * order-dialog.ts; this file only builds and exposes the elements.
 */
import type { DoseUnitDto } from './protocol-types.js';
import { button, el, field, input } from './dom.js';

/** Step 1: what is asked. */
export class RequestSection {
  readonly root = el('section', 'dialog-step', 'step-request');
  readonly stopText = el('p', 'step-text', 'stop-text');
  readonly rateFields = el('div', 'rate-fields');
  readonly value = input('text', 'rate-value');
  readonly unitButtons: Record<DoseUnitDto, HTMLButtonElement>;
  readonly otherUnit = el('div', 'rate-other-unit', 'rate-other-unit');
  readonly limits = el('div', 'rate-limits', 'rate-limits');
  readonly reason = el('textarea', 'input reason-input', 'override-reason');
  readonly reasonField: HTMLLabelElement;
  readonly submit: HTMLButtonElement;

  constructor(onUnit: (unit: DoseUnitDto) => void, onInput: () => void, onSubmit: () => void) {
    const heading = el('h3', 'step-title');
    heading.textContent = 'Request';
    this.value.inputMode = 'decimal';
    this.value.setAttribute('aria-label', 'New value');
    this.value.addEventListener('input', onInput);
    this.value.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') onSubmit();
    });
    const toggle = el('div', 'unit-toggle');
    toggle.setAttribute('role', 'group');
    toggle.setAttribute('aria-label', 'Unit');
    this.unitButtons = {
      'mg/kg/h': button('mg/kg/h', 'unit-btn', 'unit-dose', () => onUnit('mg/kg/h')),
      'mL/h': button('mL/h', 'unit-btn', 'unit-rate', () => onUnit('mL/h')),
    };
    toggle.append(this.unitButtons['mg/kg/h'], this.unitButtons['mL/h']);
    const valueRow = el('div', 'value-row');
    valueRow.append(field('New value', this.value, 'field field-value'), toggle, this.otherUnit);
    this.reason.rows = 2;
    this.reason.maxLength = 500;
    this.reasonField = field('Override reason (required: outside the soft limits)', this.reason, 'field field-reason');
    this.rateFields.append(valueRow, this.limits, this.reasonField);
    this.submit = button('Request change', 'btn btn-primary btn-large', 'request-submit', onSubmit);
    this.root.append(heading, this.stopText, this.rateFields, this.submit);
  }
}

/** Steps 2 and 3: a nurse signs with their own username and password (and, for the double check, the value). */
export class SignatureSection {
  readonly root: HTMLElement;
  readonly intro = el('p', 'step-text');
  readonly username: HTMLInputElement;
  readonly password: HTMLInputElement;
  readonly value: HTMLInputElement | null;
  readonly valueLabel: HTMLElement | null = null;
  readonly submit: HTMLButtonElement;
  readonly cancel: HTMLButtonElement;

  constructor(kind: 'confirm' | 'dc', title: string, submitLabel: string, onSubmit: () => void, onCancel: () => void) {
    this.root = el('section', 'dialog-step', kind === 'confirm' ? 'step-confirm' : 'step-double-check');
    const heading = el('h3', 'step-title');
    heading.textContent = title;
    // No autofill: a signature is typed by the signing nurse at that moment, never filled in by the browser.
    this.username = input('text', `${kind}-username`, 'off');
    this.password = input('password', `${kind}-password`, 'new-password');
    const fields = el('div', 'signature-fields');
    fields.append(field('Username', this.username), field('Password', this.password));
    if (kind === 'dc') {
      this.value = input('text', 'dc-value');
      this.value.inputMode = 'decimal';
      const wrap = field('New value', this.value);
      this.valueLabel = wrap.querySelector('.field-label');
      fields.append(wrap);
    } else {
      this.value = null;
    }
    for (const node of [this.username, this.password, this.value]) {
      node?.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') onSubmit();
      });
    }
    this.submit = button(submitLabel, 'btn btn-primary btn-large', `${kind}-submit`, onSubmit);
    this.cancel = button('Cancel order', 'btn', `${kind}-cancel`, onCancel);
    const actions = el('div', 'step-actions');
    actions.append(this.submit, this.cancel);
    this.root.append(heading, this.intro, fields, actions);
  }

  /** Empties the fields (after every attempt: a password never stays on screen). */
  clear(): void {
    this.username.value = '';
    this.password.value = '';
    if (this.value) this.value.value = '';
  }
}

/** Step 4: the live state, then verified / not verified / refused / expired / cancelled. */
export class OutcomeSection {
  readonly root = el('section', 'dialog-step', 'step-progress');
  readonly state = el('div', 'order-state', 'order-state');
  readonly stateTitle = el('div', 'order-state-title', 'order-state-title');
  readonly stateDetail = el('div', 'order-state-detail', 'order-state-detail');
  readonly acknowledge: HTMLButtonElement;
  readonly acknowledged = el('div', 'order-acknowledged', 'order-acknowledged');
  readonly close: HTMLButtonElement;

  constructor(onAcknowledge: () => void, onClose: () => void) {
    this.state.append(this.stateTitle, this.stateDetail);
    this.acknowledge = button('Acknowledge', 'btn btn-danger btn-large', 'order-acknowledge', onAcknowledge);
    this.close = button('Close', 'btn btn-large', 'order-close', onClose);
    const actions = el('div', 'step-actions');
    actions.append(this.acknowledge, this.close);
    this.root.append(this.state, this.acknowledged, actions);
  }
}
