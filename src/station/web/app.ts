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
  openAudit: () => audit.open(state.bedList(), userNames()),
});
document.body.append(dialog.root, audit.root);

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
  board.render(state.bedList(), serverNow, pumps, waveforms);
  loginBox.render(state.pumpControl);
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
