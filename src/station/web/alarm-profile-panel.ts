/**
 * A bed's alarm profile (GET /api/beds/<bed>/profile): the running profile with its
 * lifecycle settings and rules; for a logged-in nurse or physician, switching to another
 * profile, editing a limit rule (low, high, priority, delay) and turning a rule off or on.
 * Every change is audited by the gateway; a refusal is shown in the server's words.
 */
import type { StationApiClient } from './api-client.js';
import type { AlarmRuleDto, BedProfileResponse, LimitChangeBody } from './api-types.js';
import { button, el, input, setText } from './dom.js';
import { formatDuration, ruleSummary } from './alarm-format.js';

type ProfileView = BedProfileResponse['profile'];

/** What the panel needs from the page each render. */
export interface ProfilePanelContext {
  readonly canAct: boolean;
  /** Rules of the bed that are off now. */
  readonly offRules: ReadonlySet<string>;
  /** Changes with every profile change of the bed (reload when it moves). */
  readonly version: number;
}

export class AlarmProfilePanel {
  readonly root: HTMLElement;
  private readonly title: HTMLElement;
  private readonly current: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly switchButton: HTMLButtonElement;
  private readonly settings: HTMLElement;
  private readonly error: HTMLElement;
  private readonly rules: HTMLTableSectionElement;
  private bedId: string | null = null;
  private view: ProfileView | null = null;
  private editing: string | null = null;
  private context: ProfilePanelContext = { canAct: false, offRules: new Set(), version: 0 };
  private signature = '';

  constructor(private readonly api: StationApiClient) {
    this.root = el('aside', 'side-panel profile-panel', 'profile-panel');
    this.root.hidden = true;
    this.root.setAttribute('aria-label', 'Alarm profile');
    const head = el('div', 'side-head');
    this.title = el('h2', 'side-title', 'profile-title');
    head.append(this.title, button('Close', 'btn', 'profile-close', () => this.close()));
    this.current = el('div', 'profile-current', 'profile-current');
    const switchRow = el('div', 'profile-switch');
    this.select = el('select', 'input', 'profile-select');
    this.select.setAttribute('aria-label', 'Profile');
    this.switchButton = button('Switch profile', 'btn btn-primary', 'profile-switch', () => void this.switchProfile());
    switchRow.append(this.select, this.switchButton);
    this.settings = el('div', 'profile-settings', 'profile-settings');
    this.error = el('div', 'dialog-error', 'profile-error');
    this.error.setAttribute('role', 'alert');
    const table = el('table', 'rules-table', 'rules-table');
    const headRow = el('tr', '');
    for (const name of ['Rule', 'Condition', 'Priority', 'Delay', 'Alarm', 'Set', '']) {
      const th = el('th', '');
      th.textContent = name;
      headRow.append(th);
    }
    table.createTHead().append(headRow);
    this.rules = table.createTBody();
    const scroll = el('div', 'side-scroll');
    scroll.append(table);
    this.root.append(head, this.current, switchRow, this.settings, this.error, scroll);
  }

  get openBed(): string | null {
    return this.root.hidden ? null : this.bedId;
  }

  open(bedId: string, label: string): void {
    this.bedId = bedId;
    this.view = null;
    this.editing = null;
    setText(this.title, `Alarm profile · ${label}`);
    setText(this.error, '');
    this.root.hidden = false;
    void this.load();
  }

  close(): void {
    this.root.hidden = true;
    this.bedId = null;
  }

  /** Takes the page's state at each render; reloads after a profile change from anywhere. */
  update(context: ProfilePanelContext): void {
    const reload = context.version !== this.context.version;
    this.context = context;
    if (this.openBed === null) return;
    if (reload && this.editing === null) void this.load();
    else this.render();
  }

  private async load(): Promise<void> {
    const bedId = this.bedId;
    if (bedId === null) return;
    const result = await this.api.bedProfile(bedId);
    if (bedId !== this.bedId) return;
    if (!result.ok) setText(this.error, `Cannot show the profile: ${result.error.message}`);
    else this.show(result.data.profile);
  }

  private show(view: ProfileView): void {
    this.view = view;
    this.signature = '';
    this.render();
  }

  private render(): void {
    const view = this.view;
    if (!view) return;
    const { canAct, offRules } = this.context;
    const signature = JSON.stringify([view, this.editing, canAct, [...offRules].sort()]);
    if (signature === this.signature) return;
    this.signature = signature;
    const p = view.current;
    setText(this.current, `${p.label} (${p.id})${p.description ? ` — ${p.description.trim()}` : ''}${runtimeNote(view)}`);
    const selected = this.select.value;
    this.select.replaceChildren(...view.available.map((a) => new Option(a.label, a.id)));
    this.select.value = view.available.some((a) => a.id === selected) && selected !== '' ? selected : p.id;
    this.select.disabled = !canAct;
    this.switchButton.disabled = !canAct;
    const tiers = (['high', 'medium', 'low'] as const)
      .filter((prio) => p.lifecycle.escalation[prio].length > 0)
      .map((prio) => `${prio}: ${p.lifecycle.escalation[prio].map((t) => `${t.tier.replace(/-/g, ' ')} after ${formatDuration(t.afterMs)}`).join(', ')}`);
    const latching = (['high', 'medium', 'low'] as const).filter((prio) => p.lifecycle.latching[prio]);
    setText(
      this.settings,
      `Audio pause ${formatDuration(p.lifecycle.audioPauseMs)} (at most ${formatDuration(p.lifecycle.audioPauseMaxMs)}) · latching: ${latching.join(', ') || 'none'} · escalation: ${tiers.join('; ') || 'none'}`,
    );
    this.rules.replaceChildren(...p.rules.map((rule) => this.ruleRow(rule)));
  }

  private ruleRow(rule: AlarmRuleDto): HTMLTableRowElement {
    const { canAct, offRules } = this.context;
    const tr = el('tr', 'rule-row', `rule-${rule.id}`);
    const off = offRules.has(rule.id);
    tr.dataset.off = String(off);
    const cell = (text: string) => {
      const td = el('td', '');
      td.textContent = text;
      tr.append(td);
      return td;
    };
    cell(rule.id);
    const editing = this.editing === rule.id && rule.kind === 'limit';
    if (editing) {
      tr.append(this.editCells(rule));
    } else {
      cell(ruleSummary(rule));
      cell(rule.priority ?? (rule.kind === 'technical' || rule.kind === 'pump' ? 'by condition' : ''));
      cell(rule.delayMs !== undefined ? formatDuration(rule.delayMs) : rule.durationMs !== undefined ? formatDuration(rule.durationMs) : '');
    }
    cell(off ? 'OFF' : 'on').className = off ? 'rule-off' : 'rule-on';
    const changed = this.view?.changedRules.includes(rule.id) === true;
    tr.dataset.changed = String(changed);
    if (changed) cell('changed here').className = 'rule-changed';
    else cell('');
    const actions = el('td', 'rule-actions');
    if (editing) {
      actions.append(button('Save', 'btn btn-small btn-primary', `rule-save-${rule.id}`, () => void this.saveLimit(rule.id)), button('Cancel', 'btn btn-small', `rule-cancel-${rule.id}`, () => this.edit(null)));
    } else {
      if (rule.kind === 'limit') actions.append(this.disabledUnless(canAct, button('Edit', 'btn btn-small', `rule-edit-${rule.id}`, () => this.edit(rule.id))));
      if (rule.allowOff) {
        const toggle = button(off ? 'Turn on' : 'Turn off', 'btn btn-small', `rule-off-${rule.id}`, () => void this.setOff(rule.id, !off));
        actions.append(this.disabledUnless(canAct, toggle));
      }
    }
    tr.append(actions);
    return tr;
  }

  /** Inputs for low, high, priority and delay (seconds) in place of the condition cells. */
  private editCells(rule: AlarmRuleDto): DocumentFragment {
    const fragment = document.createDocumentFragment();
    const limits = el('td', 'rule-edit-limits');
    const number = (id: string, value: number | null | undefined, label: string) => {
      const field = input('number', `rule-${id}-${rule.id}`);
      field.className = 'input rule-input';
      field.value = value === null || value === undefined ? '' : String(value);
      field.placeholder = 'none';
      field.setAttribute('aria-label', label);
      return field;
    };
    const low = number('low', rule.low, 'Low limit');
    const high = number('high', rule.high, 'High limit');
    limits.append(`${rule.metric ?? ''} low `, low, ' high ', high);
    const prio = el('td', '');
    const priority = el('select', 'input', `rule-priority-${rule.id}`);
    priority.append(...['high', 'medium', 'low'].map((v) => new Option(v, v)));
    priority.value = rule.priority ?? 'medium';
    prio.append(priority);
    const delay = el('td', '');
    const delayS = number('delay', (rule.delayMs ?? 0) / 1000, 'Delay in seconds');
    delay.append(delayS, ' s');
    fragment.append(limits, prio, delay);
    return fragment;
  }

  private disabledUnless(allowed: boolean, node: HTMLButtonElement): HTMLButtonElement {
    node.disabled = !allowed;
    if (!allowed) node.title = 'Log in as a nurse or physician';
    return node;
  }

  private edit(ruleId: string | null): void {
    this.editing = ruleId;
    setText(this.error, '');
    this.render();
  }

  private field(id: string): string {
    return (this.root.querySelector(`[data-testid="${id}"]`) as HTMLInputElement | HTMLSelectElement | null)?.value.trim() ?? '';
  }

  private async saveLimit(ruleId: string): Promise<void> {
    const bedId = this.bedId;
    if (bedId === null) return;
    const value = (text: string): number | null => (text === '' ? null : Number(text));
    const delayS = value(this.field(`rule-delay-${ruleId}`));
    const change: LimitChangeBody = {
      low: value(this.field(`rule-low-${ruleId}`)),
      high: value(this.field(`rule-high-${ruleId}`)),
      priority: this.field(`rule-priority-${ruleId}`) as LimitChangeBody['priority'],
      delayMs: delayS === null ? 0 : Math.round(delayS * 1000),
    };
    if ([change.low, change.high, change.delayMs].some((v) => v !== null && v !== undefined && !Number.isFinite(v))) {
      setText(this.error, 'Enter numbers (or leave a limit empty for none).');
      return;
    }
    const result = await this.api.setLimit(bedId, ruleId, change);
    if (!result.ok) {
      setText(this.error, result.error.field ? `${result.error.message}` : result.error.message);
      return;
    }
    this.editing = null;
    setText(this.error, '');
    this.show(result.data.profile);
  }

  private async switchProfile(): Promise<void> {
    const bedId = this.bedId;
    if (bedId === null) return;
    const result = await this.api.setProfile(bedId, this.select.value);
    if (!result.ok) setText(this.error, result.error.message);
    else {
      setText(this.error, '');
      this.editing = null;
      this.show(result.data.profile);
    }
  }

  private async setOff(ruleId: string, off: boolean): Promise<void> {
    const bedId = this.bedId;
    if (bedId === null) return;
    const result = await this.api.setAlarmOff(bedId, ruleId, off);
    setText(this.error, result.ok ? '' : result.error.message);
  }
}

/** What a nurse should know of the running profile: switched from the configured one, rules changed here (lost on restart). */
function runtimeNote(view: ProfileView): string {
  const notes: string[] = [];
  if (view.current.id !== view.configuredId) notes.push(`switched here from ${view.configuredId}`);
  if (view.changedRules.length > 0) notes.push(`changed here: ${view.changedRules.join(', ')}`);
  return notes.length > 0 ? ` · ${notes.join(' · ')} (until restart)` : '';
}
