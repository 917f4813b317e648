/**
 * Nurse-station page entry point: connects to the daemon's WebSocket, keeps the
 * browser's copy of the state, renders the board, and makes a lost link impossible
 * to miss (banner + greyed board). With pump control: the login box, pump panels, the
 * rate-change dialog and the audit view. Compiled by `npx tsc -p tsconfig.web.json` to
 * dist/station-web/app.js; no framework, no bundler.
 */
import { ClientState } from './client-state.js';
import { StationConnection, type LinkView } from './connection.js';
import { formatClock } from './format.js';
import { Board, type PumpContext } from './view.js';
import { StationApiClient } from './api-client.js';
import { LoginBox } from './login-box.js';
import { AuditPanel } from './audit-panel.js';
import { OrderDialog } from './order-dialog.js';
import type { PumpActions } from './pump-panel.js';
import { WaveformStore } from './waveform-buffer.js';
import { STATION_PROTOCOL_VERSION } from './protocol-types.js';
import { AlarmSound } from './alarm-sound.js';
import { soundingLevel } from './alarm-state.js';
import { AlarmHistoryPanel } from './alarm-history-panel.js';
import { AlarmProfilePanel } from './alarm-profile-panel.js';
import type { AlarmActions, AlarmContext } from './bed-alarm-bar.js';
import type { ApiResult } from './api-client.js';

const board = new Board(requireElement('board'));
const banner = requireElement('banner');
const bannerTitle = requireElement('banner-title');
const bannerDetail = requireElement('banner-detail');
const linkPill = requireElement('link-state');
const clock = requireElement('clock');
const state = new ClientState();
const waveforms = new WaveformStore();
let link: LinkView = { kind: 'connecting', attempt: 1 };
let renderQueued = false;
/** Server time of the last message received, for the banner. */
let lastMessageServerTime: number | null = null;

const api = new StationApiClient(window.location.href, undefined, (error) => {
  loginBox.sessionEnded(error.message);
  render();
});
const dialog = new OrderDialog(api, state, () => scheduleRender());
const audit = new AuditPanel(api);
const loginBox = new LoginBox(requireElement('login'), api, {
  onSessionChange: () => {
    if (!api.user) audit.close();
    render();
  },
  openAudit: () => {
    history.close();
    profilePanel.close();
    audit.open(state.bedList(), userNames());
  },
});
const history = new AlarmHistoryPanel(api);
const profilePanel = new AlarmProfilePanel(api);
document.body.append(dialog.root, audit.root, history.root, profilePanel.root);

const soundButton = requireElement('sound-state');
const sound = new AlarmSound(document.body, () => scheduleRender());
soundButton.addEventListener('click', () => sound.enable());
/** The last refusal of an alarm command per bed, shown for NOTICE_MS. */
const alarmNotices = new Map<string, { text: string; at: number }>();
const NOTICE_MS = 15_000;

/** Runs an alarm command; a refusal is shown on the bed in the gateway's words. */
async function alarmCommand(bedId: string, call: Promise<ApiResult<unknown>>): Promise<void> {
  const result = await call;
  if (result.ok) alarmNotices.delete(bedId);
  else alarmNotices.set(bedId, { text: result.error.message, at: Date.now() });
  render();
}
const bedLabel = (bedId: string): string => state.bed(bedId)?.label ?? bedId;
const alarmActions: AlarmActions = {
  acknowledge: (bedId, alarmId) => void alarmCommand(bedId, api.acknowledgeAlarm(bedId, alarmId)),
  pauseAudio: (bedId) => void alarmCommand(bedId, api.pauseAudio(bedId)),
  turnOn: (bedId, ruleId) => void alarmCommand(bedId, api.setAlarmOff(bedId, ruleId, false)),
  openHistory: (bedId) => {
    profilePanel.close();
    audit.close();
    history.open(bedId, bedLabel(bedId));
  },
  openProfile: (bedId) => {
    history.close();
    audit.close();
    profilePanel.open(bedId, bedLabel(bedId));
    render();
  },
};

const actions: PumpActions = {
  openRateChange: (bedId, deviceId) => dialog.openNew('rate-change', bedId, deviceId),
  openStop: (bedId, deviceId) => dialog.openNew('stop', bedId, deviceId),
  openOrder: (orderId) => dialog.openOrder(orderId),
  dismissChange: (bedId, deviceId) => {
    state.dismissPumpChange(bedId, deviceId);
    render();
  },
};

/** `user:<id>` -> display name, from every user the page has seen in orders (for the audit view). */
function userNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const order of state.orderList()) {
    for (const user of [order.requestedBy, order.confirmedBy, order.doubleCheckedBy]) {
      if (user) names.set(`user:${user.id}`, user.displayName);
    }
  }
  if (api.user) names.set(`user:${api.user.id}`, api.user.displayName);
  return names;
}

function requireElement(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (!node) throw new Error(`station page is missing #${id}`);
  return node;
}

/** Renders at most once per animation frame, however many messages arrive. */
function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function render(): void {
  const serverNow = state.serverNow(Date.now());
  const pumps: PumpContext | undefined = state.pumpControl ? { state, actions, loggedIn: api.user !== null } : undefined;
  const role = api.user?.role;
  const canAct = role === 'nurse' || role === 'physician';
  const alarms: AlarmContext | undefined = state.alarmControl
    ? {
        on: true,
        canAct,
        actions: alarmActions,
        notice: (bedId) => {
          const notice = alarmNotices.get(bedId);
          return notice && Date.now() - notice.at < NOTICE_MS ? notice.text : '';
        },
        reminderOf: (bedId, ruleId) => state.reminderOf(bedId, ruleId),
      }
    : undefined;
  board.render(state.bedList(), serverNow, pumps, waveforms, alarms);
  loginBox.render(state.pumpControl || state.alarmControl, state.pumpControl);
  const profileBed = profilePanel.openBed;
  if (profileBed !== null) {
    const off = new Set(state.bed(profileBed)?.alarmState?.alarmsOff.map((o) => o.ruleId) ?? []);
    profilePanel.update({ canAct, offRules: off, version: state.profileVersion(profileBed) });
  }
  renderSound();
  dialog.render();
  clock.textContent = formatClock(serverNow);
  const live = link.kind === 'live' && state.hasSnapshot;
  document.body.dataset.link = live ? 'live' : link.kind;
  banner.hidden = live;
  linkPill.textContent = live ? 'Live' : link.kind === 'lost' ? 'Disconnected' : 'Connecting';
  bannerTitle.textContent = link.kind === 'lost' ? 'STATION DISCONNECTED' : 'CONNECTING TO STATION…';
  if (link.kind === 'lost') {
    const last = lastMessageServerTime === null ? '' : ` since ${formatClock(lastMessageServerTime)}`;
    const reason = link.reason.charAt(0).toUpperCase() + link.reason.slice(1);
    bannerDetail.textContent =
      `Values shown are NOT live${last}. Check patients at the bedside. ${reason}; retrying in ${Math.ceil(link.retryInMs / 1000)} s (attempt ${link.attempt}).`;
  } else if (!live) {
    bannerDetail.textContent = `Connecting to the Vigil gateway (attempt ${link.kind === 'connecting' ? link.attempt : 1})…`;
  }
}

/** The alarm sound follows the highest audible alarm; the pill says whether the browser lets it sound. */
function renderSound(): void {
  const level = soundingLevel(state.bedList());
  sound.set(level);
  const blocked = !sound.enabled;
  soundButton.dataset.state = blocked ? (level === 'none' ? 'off' : 'blocked') : level === 'none' ? 'on' : 'sounding';
  soundButton.textContent = blocked ? 'Sound off · click to enable' : level === 'none' ? 'Sound on' : `Sounding · ${level}`;
  soundButton.title = blocked ? 'The browser blocks sound until you click: alarms would be silent' : 'Alarm sound is on (IEC 60601-1-8 patterns)';
}

const wsUrl = new URL('/ws', window.location.href);
wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';

const connection = new StationConnection({
  url: wsUrl.href,
  createSocket: (url) => new WebSocket(url),
  onMessage: (message, localNow) => {
    if (message.type === 'error') console.warn('station error', message.code, message.message);
    // Waveforms are opt-in (docs/station-api.md): ask on every (re)connection.
    if (message.type === 'hello') connection.send({ v: STATION_PROTOCOL_VERSION, type: 'subscribe', waveforms: true });
    if (message.type === 'waveform') {
      lastMessageServerTime = state.serverNow(localNow);
      if (waveforms.apply(message.waveform)) scheduleRender();
      return;
    }
    const change = state.apply(message, localNow);
    lastMessageServerTime = state.serverNow(localNow);
    if (change.kind !== 'none') scheduleRender();
    const historyBed = history.openBed;
    if (historyBed !== null && (change.kind === 'all' || (change.kind === 'beds' && change.bedIds.includes(historyBed)))) history.bedChanged(historyBed);
  },
  onLinkChange: (next) => {
    link = next;
    render();
  },
});

/** Live waveforms sweep at the display's frame rate, independently of the board's renders. */
function drawTraces(): void {
  board.drawTraces(performance.now(), state.serverNow(Date.now()));
  requestAnimationFrame(drawTraces);
}

connection.start();
// Ages, staleness and the clock move even when no message arrives.
setInterval(render, 1000);
render();
requestAnimationFrame(drawTraces);
