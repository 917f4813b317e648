/**
 * Nurse-station page entry point: connects to the daemon's WebSocket, keeps the
 * browser's copy of the state, renders the board, and makes a lost link impossible
 * to miss (banner + greyed board). Compiled by `npx tsc -p tsconfig.web.json` to
 * dist/station-web/app.js; no framework, no bundler.
 */
import { ClientState } from './client-state.js';
import { StationConnection, type LinkView } from './connection.js';
import { formatClock } from './format.js';
import { Board } from './view.js';

const board = new Board(requireElement('board'));
const banner = requireElement('banner');
const bannerTitle = requireElement('banner-title');
const bannerDetail = requireElement('banner-detail');
const linkPill = requireElement('link-state');
const clock = requireElement('clock');
const state = new ClientState();
let link: LinkView = { kind: 'connecting', attempt: 1 };
let renderQueued = false;
/** Server time of the last message received, for the banner. */
let lastMessageServerTime: number | null = null;

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
  board.render(state.bedList(), serverNow);
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
    const change = state.apply(message, localNow);
    lastMessageServerTime = state.serverNow(localNow);
    if (change.kind !== 'none') scheduleRender();
  },
  onLinkChange: (next) => {
    link = next;
    render();
  },
});

connection.start();
// Ages, staleness and the clock move even when no message arrives.
setInterval(render, 1000);
render();
