/**
 * The nurse-station server: node:http for the page, the snapshot JSON, the health check
 * and (with pump control) the JSON API under /api, and a WebSocket at /ws that streams
 * the live state (docs/station-api.md).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Observable, Subscription } from 'rxjs';
import { WebSocketServer } from 'ws';
import type { Logger } from '../core/logger.js';
import { systemClock, type Clock } from '../core/clock.js';
import { packageRoot } from '../core/package-root.js';
import { VigilError } from '../core/errors.js';
import type { Observation } from '../model/observation.js';
import type { DeviceStatus } from '../model/device-events.js';
import type { WaveformChunk } from '../model/waveform.js';
import type { AlarmEvent } from '../alarms/alarm.js';
// Types only: the station must never load the control module's code (safety boundary).
import type { ControlApi } from '../control/control-api.js';
// Types only, likewise: the station passes clinicians' alarm commands on, it never runs the engine.
import type { AlarmControlApi } from '../alarms/alarm-control-api.js';
import { StationState, type ApplyOutcome, type StationBed } from './station-state.js';
import { StationClients } from './station-clients.js';
import { loadStaticFile } from './static-files.js';
import { SECURITY_HEADERS, sendJson } from './http-reply.js';
import { handleApiRequest, type StationAuth } from './station-api.js';
import { handleAlarmApiRequest, isAlarmApiPath } from './alarm-api.js';
import { alarmSource, pumpSource, subscribeAlarmEvents, subscribeControl } from './station-feeds.js';
import {
  STATION_PROTOCOL_VERSION,
  alarmMessage,
  deviceStatusToDto,
  observationToDto,
  waveformMessage,
} from './station-protocol.js';

export type { StationBed } from './station-state.js';

export interface StationOptions {
  host: string;
  /** TCP port; 0 picks a free one (tests). */
  port: number;
  beds: StationBed[];
  observations$: Observable<Observation>;
  status$: Observable<DeviceStatus>;
  alarms$: Observable<AlarmEvent>;
  /** Waveform chunks (e.g. pleth), forwarded live to clients that subscribe; never in snapshots. */
  waveforms$?: Observable<WaveformChunk>;
  logger: Logger;
  /** Server time for `hello`, `pong` and snapshots. Default: the system clock. */
  clock?: Clock;
  /** A WebSocket client with more unsent bytes than this is dropped. Default 1 MiB. */
  maxClientBufferBytes?: number;
  /**
   * A waveform chunk is skipped (not queued) for a client with more unsent bytes than
   * this. Default 64 KiB, at most half of maxClientBufferBytes.
   */
  maxWaveformBufferBytes?: number;
  /** WebSocket ping interval; a client missing one ping is dropped. Default 10 000 ms. */
  heartbeatMs?: number;
  /** Package root holding src/station/web and dist/station-web. Default: packageRoot(). */
  rootDir?: string;
  /**
   * The pump-control workflow. Absent: no login, no pump panels, no orders; every
   * pump route of /api answers 404 PUMP_CONTROL_OFF.
   */
  control?: ControlApi;
  /**
   * Alarm commands from the station (acknowledge, audio pause, alarm off, profile and
   * limit changes) and the alarm engine's other events, forwarded as `alarm-event`.
   * Absent: every /api/beds route answers 404 ALARM_CONTROL_OFF.
   */
  alarmControl?: AlarmControlApi;
  /**
   * Login for a gateway without pump control (e.g. the AlarmControl, which logs in over
   * the same sessions). Ignored when `control` is given: it logs users in.
   */
  auth?: StationAuth;
  /**
   * Called after each batch of WebSocket sends has been handed to the sockets (sends are
   * batched per turn of the event loop). For measurement: the benchmark times alarm
   * edges here.
   */
  onFlush?: () => void;
}

/** A running station server. */
export interface StationServer {
  /** e.g. `http://127.0.0.1:8080/` */
  url: string;
  port: number;
  /** Stops the streams, drops every client and closes the listener. Idempotent. */
  close(): Promise<void>;
}

/** Starts the nurse-station HTTP + WebSocket server and subscribes it to the gateway streams. */
export async function startStationServer(options: StationOptions): Promise<StationServer> {
  const log = options.logger.child({ component: 'station' });
  const clock = options.clock ?? systemClock;
  const root = options.rootDir ?? packageRoot();
  const control = options.control;
  const alarmControl = options.alarmControl;
  const state = new StationState(options.beds, control ? pumpSource(control, log) : undefined, alarmControl ? alarmSource(alarmControl, log) : undefined);
  const maxBufferedBytes = options.maxClientBufferBytes ?? 1024 * 1024;
  const clients = new StationClients({
    state,
    logger: log,
    clock,
    maxBufferedBytes,
    maxWaveformBufferedBytes: Math.min(options.maxWaveformBufferBytes ?? 64 * 1024, maxBufferedBytes / 2),
    maxClientMessageBytes: 16 * 1024,
    heartbeatMs: options.heartbeatMs ?? 10_000,
    ...(options.onFlush ? { onFlush: options.onFlush } : {}),
  });

  const noteOutcome = (outcome: ApplyOutcome, what: string, bedId: string, deviceId: string | null): void => {
    if (outcome === 'unknown-bed' || outcome === 'unknown-device') {
      log.warn({ bedId, deviceId, what }, `station got data for an ${outcome.replace('-', ' ')}: shown anyway`);
    }
  };
  const subscriptions: Subscription[] = [
    options.observations$.subscribe({
      next: (o) => {
        const outcome = state.applyObservation(o);
        noteOutcome(outcome, 'observation', o.bedId, o.deviceId);
        if (outcome === 'ignored') return;
        clients.broadcast({ v: STATION_PROTOCOL_VERSION, type: 'observation', observation: observationToDto(o) });
      },
      error: (err: unknown) => log.error({ err }, 'observation stream failed'),
    }),
    options.status$.subscribe({
      next: (s) => {
        noteOutcome(state.applyStatus(s), 'status', s.bedId, s.deviceId);
        clients.broadcast({ v: STATION_PROTOCOL_VERSION, type: 'device-status', status: deviceStatusToDto(s) });
      },
      error: (err: unknown) => log.error({ err }, 'status stream failed'),
    }),
    options.alarms$.subscribe({
      next: (e) => {
        noteOutcome(state.applyAlarm(e), 'alarm', e.alarm.bedId, e.alarm.deviceId);
        clients.broadcast(alarmMessage(e));
      },
      error: (err: unknown) => log.error({ err }, 'alarm stream failed'),
    }),
  ];
  if (options.waveforms$) {
    subscriptions.push(
      options.waveforms$.subscribe({
        next: (chunk) => {
          // A malformed chunk is logged and skipped: it must never take the station down.
          try {
            clients.broadcastWaveform(waveformMessage(chunk));
          } catch (err) {
            log.error({ err, bedId: chunk?.bedId, deviceId: chunk?.deviceId }, 'waveform chunk not forwarded');
          }
        },
        error: (err: unknown) => log.error({ err }, 'waveform stream failed'),
      }),
    );
  }
  if (control) subscriptions.push(...subscribeControl(control, clients, log));
  if (alarmControl) subscriptions.push(subscribeAlarmEvents(alarmControl, clients, log));
  const profileChanged = (bedId: string, change: 'profile' | 'limit', ruleId: string | null): void => {
    const current = alarmControl?.profile(bedId)?.current;
    if (!current) return;
    const event = { kind: 'profile-changed' as const, bedId, profileId: current.id, label: current.label, change, ruleId, at: clock.now() };
    clients.broadcast({ v: STATION_PROTOCOL_VERSION, type: 'alarm-event', event });
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    // Only the path is used; it is matched exactly against fixed routes, never joined to a file path.
    const url = new URL(req.url ?? '/', 'http://station.invalid');
    const path = url.pathname;
    if (isAlarmApiPath(path)) return sendJson(res, await handleAlarmApiRequest(req, url, alarmControl, log, profileChanged));
    if (path.startsWith('/api/') && path !== '/api/state') {
      return sendJson(res, await handleApiRequest(req, url, control, log, options.auth));
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return;
    }
    if (path === '/api/state') return sendJson(res, { status: 200, body: state.snapshot(clock.now()) });
    if (path === '/healthz') {
      const body = { status: 'ok', protocol: STATION_PROTOCOL_VERSION, serverTime: clock.now(), clients: clients.size };
      return sendJson(res, { status: 200, body });
    }
    const file = await loadStaticFile(root, path);
    if (!file.ok) {
      if (file.reason === 'not-built') log.error({ detail: file.detail }, 'station client not built: run npm run build');
      const status = file.reason === 'not-found' ? 404 : 503;
      res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(status === 404 ? 'not found\n' : 'station client not built: run npm run build\n');
      return;
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': file.contentType, 'Content-Length': file.body.length });
    res.end(method === 'HEAD' ? undefined : file.body);
  };

  const server = createServer((req, res) => {
    handleRequest(req, res).catch((err: unknown) => {
      log.error({ err }, 'station request failed');
      if (!res.headersSent) res.writeHead(500, { ...SECURITY_HEADERS });
      res.end();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://station.invalid').pathname;
    if (path !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => clients.attach(ws, `${req.socket.remoteAddress}:${req.socket.remotePort}`, socket));
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    for (const s of subscriptions) s.unsubscribe();
    clients.closeAll();
    throw new VigilError('STATION_LISTEN_FAILED', `station server cannot listen on ${options.host}:${options.port}`, {
      host: options.host,
      port: options.port,
    }, { cause: err });
  }
  server.on('error', (err) => log.error({ err }, 'station server error'));

  const port = (server.address() as AddressInfo).port;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${hostInUrl}:${port}/`;
  log.info({ url, beds: options.beds.length }, 'nurse station listening');

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      for (const s of subscriptions) s.unsubscribe();
      clients.closeAll();
      wss.close();
      server.close(() => resolve());
      server.closeAllConnections();
      log.info({ url }, 'nurse station closed');
    });
    return closing;
  };
  return { url, port, close };
}
