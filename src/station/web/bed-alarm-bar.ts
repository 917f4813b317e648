/**
 * A bed's alarm controls (with alarm control): the audio state with the audio pause
 * countdown and the Audio pause button, the rules turned off with their reminders and
 * Turn on, the History and Profile buttons, and the last refusal in words.
 */
import type { BedSnapshot } from './protocol-types.js';
import { button, el, setData, setText } from './dom.js';
import { formatCountdown } from './alarm-format.js';
import { formatClock } from './format.js';

/** What a bed's alarm controls do; failures come back as text in `notice`. */
export interface AlarmActions {
  acknowledge(bedId: string, alarmId: string): void;
  pauseAudio(bedId: string): void;
  turnOn(bedId: string, ruleId: string): void;
  openHistory(bedId: string): void;
  openProfile(bedId: string): void;
}

/** The page's alarm-control context for the tiles. */
export interface AlarmContext {
  readonly on: boolean;
  readonly canAct: boolean;
  readonly actions: AlarmActions;
  /** The last refusal or error for a bed, '' when none. */
  notice(bedId: string): string;
  /** When the latest "still off" reminder of a rule came, if any. */
  reminderOf(bedId: string, ruleId: string): number | undefined;
}

export class BedAlarmBar {
  readonly root: HTMLElement;
  private readonly audio: HTMLElement;
  private readonly pause: HTMLButtonElement;
  private readonly offList: HTMLElement;
  private readonly notice: HTMLElement;
  private actions: AlarmActions | null = null;

  constructor(private readonly bedId: string) {
    this.root = el('div', 'alarm-bar', `alarm-bar-${bedId}`);
    const line = el('div', 'alarm-bar-line');
    this.audio = el('span', 'audio-state', `audio-state-${bedId}`);
    this.pause = button('Audio pause', 'btn btn-small', `audio-pause-${bedId}`, () => this.actions?.pauseAudio(bedId));
    // Kept together at the right, also when the line wraps.
    const panels = el('span', 'alarm-bar-panels');
    panels.append(
      button('History', 'btn btn-small', `history-open-${bedId}`, () => this.actions?.openHistory(bedId)),
      button('Profile', 'btn btn-small', `profile-open-${bedId}`, () => this.actions?.openProfile(bedId)),
    );
    line.append(this.audio, this.pause, panels);
    this.offList = el('div', 'alarms-off', `alarms-off-${bedId}`);
    this.notice = el('div', 'alarm-notice', `alarm-notice-${bedId}`);
    this.notice.setAttribute('role', 'alert');
    this.root.append(line, this.offList, this.notice);
  }

  update(bed: BedSnapshot, serverNow: number, context: AlarmContext | undefined): void {
    this.root.hidden = !context?.on;
    if (!context?.on) return;
    this.actions = context.actions;
    const state = bed.alarmState;
    const until = state?.audioPausedUntil ?? null;
    const paused = until !== null && until > serverNow;
    setData(this.root, 'paused', String(paused));
    setText(this.audio, paused ? `AUDIO PAUSED ${formatCountdown(until - serverNow)}` : 'Audio on');
    this.pause.disabled = !context.canAct;
    this.pause.title = context.canAct
      ? `Silence this bed's sounding alarms for a limited time; they stay shown${paused ? ' (starts the pause again)' : ''}`
      : 'Log in as a nurse or physician';

    const off = state?.alarmsOff ?? [];
    const signature = off.map((o) => `${o.ruleId}|${o.since}|${o.by}|${context.reminderOf(bed.id, o.ruleId) ?? ''}|${context.canAct}`).join('\n');
    if (this.offList.dataset.signature !== signature) {
      this.offList.dataset.signature = signature;
      this.offList.replaceChildren(
        ...off.map((o) => {
          const item = el('div', 'alarm-off-item', `alarm-off-${this.bedId}-${o.ruleId}`);
          const text = el('span', 'alarm-off-text');
          const reminder = context.reminderOf(bed.id, o.ruleId);
          text.textContent = `ALARM OFF: ${o.ruleId} since ${formatClock(o.since)} (${o.by})${reminder === undefined ? '' : ` · still off, reminded ${formatClock(reminder)}`}`;
          item.dataset.reminded = String(reminder !== undefined);
          const on = button('Turn on', 'btn btn-small', `alarm-on-${this.bedId}-${o.ruleId}`, () => this.actions?.turnOn(this.bedId, o.ruleId));
          on.disabled = !context.canAct;
          item.append(text, on);
          return item;
        }),
      );
    }
    setText(this.notice, context.notice(bed.id));
  }
}
