import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError, isVigilError, VigilError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { SimEvent } from '../sim-events.js';

/** What the control API drives (SimulatorHost implements it). */
export interface SimulatorControl {
  list(): unknown[];
  describeBed(bedId: string): unknown;
  trigger(bedId: string, deviceId: string | null, event: unknown): SimEvent;
}

export interface ControlServer {
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

const ROUTES =
  'GET /simulators, GET /simulators/<bed>, POST /simulators/<bed>/events, POST /simulators/<bed>/<device>/events';

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

function statusOf(err: unknown): { status: number; code: string; message: string } {
  if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message };
  if (isVigilError(err)) {
    const status =
      err.code === 'SIMULATOR_UNKNOWN' ? 404 : err.code === 'SIMULATOR_EVENT_REFUSED' ? 409 : err.code === 'INTERNAL' ? 500 : 400;
    return { status, code: err.code, message: err.message };
  }
  return { status: 500, code: 'INTERNAL', message: describeError(err) };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'REQUEST_INVALID', `request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new VigilError('REQUEST_INVALID', 'request body is empty: send the event as JSON, e.g. {"type":"desaturation"}');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new VigilError('REQUEST_INVALID', `malformed JSON body: ${describeError(err)}`);
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new VigilError('REQUEST_INVALID', `malformed URL segment "${segment}"`);
  }
}

async function route(control: SimulatorControl, req: IncomingMessage): Promise<{ status: number; body: unknown }> {
  const url = new URL(req.url ?? '/', 'http://control');
  const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeSegment);
  const method = req.method ?? 'GET';
  const notAllowed = (allowed: string): HttpError =>
    new HttpError(405, 'REQUEST_INVALID', `method ${method} not allowed on ${url.pathname} (use ${allowed})`);

  if (parts[0] === 'simulators' && parts.length === 1) {
    if (method !== 'GET') throw notAllowed('GET');
    return { status: 200, body: control.list() };
  }
  if (parts[0] === 'simulators' && parts.length === 2) {
    if (method !== 'GET') throw notAllowed('GET');
    return { status: 200, body: control.describeBed(parts[1] as string) };
  }
  const isEvents = parts[0] === 'simulators' && parts.at(-1) === 'events' && (parts.length === 3 || parts.length === 4);
  if (isEvents) {
    if (method !== 'POST') throw notAllowed('POST');
    const body = await readJson(req);
    const bedId = parts[1] as string;
    const deviceId = parts.length === 4 ? (parts[2] as string) : null;
    const event = control.trigger(bedId, deviceId, body);
    return { status: 200, body: { ok: true, bedId, deviceId, event } };
  }
  throw new HttpError(404, 'REQUEST_INVALID', `no route ${method} ${url.pathname}; routes: ${ROUTES}`);
}

/**
 * The simulator control API: HTTP with JSON bodies. Every failure is answered with
 * `{ "error": { "code", "message" } }` (400 bad request or event, 404 unknown bed,
 * device or route, 405, 409 the simulated device refused (e.g. keypad-start under an
 * alarm), 413, 500) and the server keeps serving.
 */
export async function startControlServer(
  control: SimulatorControl,
  options: { host: string; port: number; logger: Logger },
): Promise<ControlServer> {
  const { logger } = options;
  const server = createServer((req, res) => {
    req.on('error', (err) => logger.debug({ err: err.message }, 'control request error'));
    route(control, req)
      .then(({ status, body }) => send(res, status, body))
      .catch((err: unknown) => {
        const { status, code, message } = statusOf(err);
        if (status >= 500) logger.error({ err }, 'control request failed');
        else logger.info({ method: req.method, url: req.url, status, code, message }, 'control request rejected');
        if (!res.headersSent) send(res, status, { error: { code, message } });
        else res.destroy();
      });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new VigilError('SIMULATOR_LISTEN_FAILED', `cannot listen on http://${options.host}:${options.port}: ${err.message}`, {
        host: options.host, port: options.port,
      }, { cause: err })),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  server.on('error', (err) => logger.error({ err }, 'control server error'));
  const port = (server.address() as AddressInfo).port;
  logger.info({ url: `http://${options.host}:${port}` }, 'simulator control API listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
