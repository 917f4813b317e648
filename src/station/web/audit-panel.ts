/**
 * The audit view: the newest audit log entries (time, actor, action, subject, details),
 * optionally of one bed, for a logged-in user. Read-only; the log's integrity is proven
 * by `vigil audit verify` on the gateway, not here.
 */
import type { StationApiClient } from './api-client.js';
import type { AuditEntryDto } from './api-types.js';
import { button, el, setText } from './dom.js';
import { formatClock } from './format.js';

/** Details as `key: value` pairs, nested values as compact JSON, long text cut. */
export function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `${key}: ${text.length > 80 ? `${text.slice(0, 77)}…` : text}`;
    })
    .join(' · ');
}

export class AuditPanel {
  readonly root: HTMLElement;
  private readonly bedSelect: HTMLSelectElement;
  private readonly status: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  /** Display names of user ids the page has seen, so `user:3` reads `user:3 (Ana Silva)`. */
  private names = new Map<string, string>();

  constructor(private readonly api: StationApiClient) {
    this.root = el('aside', 'audit-panel', 'audit-panel');
    this.root.hidden = true;
    this.root.setAttribute('aria-label', 'Audit log');
    const head = el('div', 'audit-head');
    const title = el('h2', 'audit-title');
    title.textContent = 'Audit log';
    this.bedSelect = el('select', 'input audit-bed', 'audit-bed');
    this.bedSelect.setAttribute('aria-label', 'Bed');
    this.bedSelect.addEventListener('change', () => void this.refresh());
    head.append(
      title,
      this.bedSelect,
      button('Refresh', 'btn', 'audit-refresh', () => void this.refresh()),
      button('Close', 'btn', 'audit-close', () => this.close()),
    );
    this.status = el('div', 'audit-status', 'audit-status');
    const table = el('table', 'audit-table', 'audit-table');
    const headRow = el('tr', '');
    for (const name of ['Time', 'Actor', 'Action', 'Subject', 'Details']) {
      const th = el('th', '');
      th.textContent = name;
      headRow.append(th);
    }
    table.createTHead().append(headRow);
    this.body = table.createTBody();
    const scroll = el('div', 'audit-scroll');
    scroll.append(table);
    this.root.append(head, this.status, scroll);
  }

  /** Opens the panel for the given beds and loads the newest entries. */
  open(beds: Array<{ id: string; label: string }>, names: Map<string, string>): void {
    this.names = names;
    const selected = this.bedSelect.value;
    this.bedSelect.replaceChildren(new Option('All beds', ''), ...beds.map((b) => new Option(b.label, b.id)));
    this.bedSelect.value = beds.some((b) => b.id === selected) ? selected : '';
    this.root.hidden = false;
    void this.refresh();
  }

  close(): void {
    this.root.hidden = true;
    this.body.replaceChildren();
  }

  get isOpen(): boolean {
    return !this.root.hidden;
  }

  private async refresh(): Promise<void> {
    setText(this.status, 'Loading…');
    const bedId = this.bedSelect.value;
    const result = await this.api.audit({ limit: 200, ...(bedId ? { bedId } : {}) });
    if (!result.ok) {
      setText(this.status, `Cannot show the audit log: ${result.error.message}`);
      this.body.replaceChildren();
      return;
    }
    const entries = result.data.entries;
    setText(this.status, entries.length === 0 ? 'No entries.' : `Newest ${entries.length} entries, newest first.`);
    this.body.replaceChildren(...entries.map((e) => this.row(e)));
  }

  private row(entry: AuditEntryDto): HTMLTableRowElement {
    const tr = el('tr', '', `audit-row-${entry.seq}`);
    const name = this.names.get(entry.actor);
    const d = new Date(entry.time);
    const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    const cells = [
      `${day} ${formatClock(entry.time)}`,
      name ? `${entry.actor} (${name})` : entry.actor,
      entry.action,
      entry.subject ?? '',
      detailsText(entry.details),
    ];
    for (const text of cells) {
      const td = el('td', '');
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }
}
