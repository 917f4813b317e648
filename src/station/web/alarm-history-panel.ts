/**
 * A bed's alarm history (GET /api/beds/<bed>/alarms): its active and latched alarms and
 * the recently ended ones, each with its history (start, escalations, acknowledgement,
 * audio pause, latch, end) and who did what. Read-only; reloads when the bed's alarms
 * change while it is open.
 */
import type { StationApiClient } from './api-client.js';
import type { AlarmRecordDto, BedAlarmsDto } from './api-types.js';
import { button, el, setText } from './dom.js';
import { alarmBadges, historyText } from './alarm-format.js';
import { formatClock, priorityMarker } from './format.js';

/** Reloads at most this often while alarms keep changing. */
const RELOAD_MS = 500;

export class AlarmHistoryPanel {
  readonly root: HTMLElement;
  private readonly title: HTMLElement;
  private readonly status: HTMLElement;
  private readonly list: HTMLElement;
  private bedId: string | null = null;
  private reload: number | null = null;

  constructor(private readonly api: StationApiClient) {
    this.root = el('aside', 'side-panel history-panel', 'history-panel');
    this.root.hidden = true;
    this.root.setAttribute('aria-label', 'Alarm history');
    const head = el('div', 'side-head');
    this.title = el('h2', 'side-title', 'history-title');
    head.append(this.title, button('Refresh', 'btn', 'history-refresh', () => void this.refresh()), button('Close', 'btn', 'history-close', () => this.close()));
    this.status = el('div', 'side-status', 'history-status');
    this.list = el('div', 'side-scroll history-list', 'history-list');
    this.root.append(head, this.status, this.list);
  }

  /** The bed shown, or null when closed. */
  get openBed(): string | null {
    return this.root.hidden ? null : this.bedId;
  }

  open(bedId: string, label: string): void {
    this.bedId = bedId;
    setText(this.title, `Alarm history · ${label}`);
    this.list.replaceChildren();
    this.root.hidden = false;
    void this.refresh();
  }

  close(): void {
    this.root.hidden = true;
    this.bedId = null;
  }

  /** The bed's alarms changed: reload soon if it is the one shown. */
  bedChanged(bedId: string): void {
    if (this.openBed !== bedId || this.reload !== null) return;
    this.reload = window.setTimeout(() => {
      this.reload = null;
      void this.refresh();
    }, RELOAD_MS);
  }

  private async refresh(): Promise<void> {
    const bedId = this.bedId;
    if (bedId === null) return;
    const result = await this.api.bedAlarms(bedId);
    if (bedId !== this.bedId) return;
    if (!result.ok) {
      setText(this.status, `Cannot show the alarm history: ${result.error.message}`);
      return;
    }
    this.show(result.data.alarms);
  }

  private show(alarms: BedAlarmsDto): void {
    const count = alarms.active.length + alarms.recent.length;
    setText(this.status, count === 0 ? 'No alarms yet.' : `${alarms.active.length} active, ${alarms.recent.length} ended (newest first). Profile ${alarms.profileId}.`);
    this.list.replaceChildren(...alarms.active.map((r) => this.card(r, true)), ...alarms.recent.map((r) => this.card(r, false)));
  }

  private card(record: AlarmRecordDto, active: boolean): HTMLElement {
    const { alarm } = record;
    const card = el('div', `history-alarm history-${alarm.priority}`, `history-alarm-${alarm.code}`);
    card.dataset.state = active ? (alarm.latched ? 'latched' : 'active') : 'ended';
    const head = el('div', 'history-alarm-head');
    const marker = el('span', 'history-marker');
    marker.textContent = priorityMarker(alarm.priority);
    const message = el('span', 'history-message');
    message.textContent = alarm.message;
    const state = el('span', 'history-state');
    const badges = alarmBadges(alarm).map((b) => b.text);
    state.textContent = active ? [alarm.latched ? 'LATCHED' : 'ACTIVE', ...badges.filter((b) => !b.startsWith('LATCHED'))].join(' · ') : `ENDED ${alarm.endedAt === null ? '' : formatClock(alarm.endedAt)}`;
    head.append(marker, message, state);
    const entries = el('ol', 'history-entries');
    for (const entry of record.history) {
      const li = el('li', `history-entry history-entry-${entry.what}`);
      const time = el('time', 'history-time');
      time.textContent = formatClock(entry.at);
      const text = el('span', 'history-text');
      text.textContent = historyText(entry);
      li.append(time, text);
      entries.append(li);
    }
    const code = el('div', 'history-code');
    code.textContent = `${alarm.code} · ${alarm.deviceId ?? 'bed'} · ${alarm.ruleId ?? ''}`;
    card.append(head, code, entries);
    return card;
  }
}
