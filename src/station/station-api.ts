/**
 * The station's HTTP JSON API under /api: login, pumps, the rate-change and stop orders
 * (request, confirm, double check, cancel, acknowledge) and the audit view, all handed
 * to the ControlApi, which checks and audits every action (docs/station-api.md).
 *
 * Only the control module's TYPES are imported: the station cannot program a pump, it
 * can only pass a clinician's request and signatures to the control module.
 * Every body is size-capped and zod-checked; no input can crash the server.
 */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type { ControlApi } from '../control/control-api.js';
import type { Logger } from '../core/logger.js';
import type { AuditEntryDto } from './web/api-types.js';
import type { JsonReply } from './http-reply.js';
import { readJsonBody } from './http-body.js';
import { apiError, errorReply, invalidRequest } from './api-errors.js';
import {
  auditQuerySchema,
  cancelSchema,
  confirmSchema,
  doubleCheckSchema,
  emptySchema,
  isOrderId,
  loginSchema,
  rateChangeSchema,
  stopSchema,
} from './api-schemas.js';
import { orderToDto, pumpToDto } from './pump-protocol.js';

/**
 * Who logs users in: the control module, or (a gateway without pump control) the alarm
 * control, over the same sessions. Only login, logout and me use it.
 */
export type StationAuth = Pick<ControlApi, 'login' | 'logout' | 'whoami'>;

/** Largest accepted request body. */
export const MAX_API_BODY_BYTES = 16 * 1024;
/** Orders listed by GET /api/orders and in snapshots. */
export const RECENT_ORDERS = 50;

interface RouteContext {
  readonly control: ControlApi;
  readonly auth: StationAuth;
  readonly req: IncomingMessage;
  readonly url: URL;
  /** The bearer token (present when the route requires it). */
  readonly token: string;
  /** The order id from the path, checked to exist (order routes only). */
  readonly orderId: string;
  /** The validated body. */
  readonly body: unknown;
}

interface Route {
  readonly method: 'GET' | 'POST';
  /** Path with `:id` for an order id. */
  readonly path: string;
  /** Needs `Authorization: Bearer <token>`. */
  readonly auth: boolean;
  /** Served by the StationAuth alone (works without pump control). */
  readonly session?: true;
  /** Body schema (POST only). */
  readonly body?: z.ZodType;
  run(ctx: RouteContext): Promise<JsonReply> | JsonReply;
}

const ok = (body: unknown, status = 200): JsonReply => ({ status, body });
const order = (ctx: RouteContext): string => ctx.orderId;

const ROUTES: readonly Route[] = [
  {
    method: 'POST', path: '/api/login', auth: false, session: true, body: loginSchema,
    run: async ({ auth, body, req }) => {
      const { username, password } = body as z.infer<typeof loginSchema>;
      const session = await auth.login(username, password, req.socket.remoteAddress);
      return ok({ token: session.token, user: { ...session.user }, expiresAt: session.expiresAt });
    },
  },
  {
    method: 'POST', path: '/api/logout', auth: true, session: true, body: emptySchema,
    run: ({ auth, token }) => {
      auth.logout(token);
      return ok({ loggedOut: true });
    },
  },
  { method: 'GET', path: '/api/me', auth: true, session: true, run: ({ auth, token }) => ok({ user: { ...auth.whoami(token) } }) },
  { method: 'GET', path: '/api/pumps', auth: false, run: ({ control }) => ok({ pumps: control.pumps().map(pumpToDto) }) },
  { method: 'GET', path: '/api/orders', auth: false, run: ({ control }) => ok({ orders: control.orders(RECENT_ORDERS).map(orderToDto) }) },
  {
    method: 'POST', path: '/api/orders', auth: true, body: rateChangeSchema,
    run: async ({ control, token, body }) => ok({ order: orderToDto(await control.requestRateChange(token, body as z.infer<typeof rateChangeSchema>)) }, 201),
  },
  {
    method: 'POST', path: '/api/orders/stop', auth: true, body: stopSchema,
    run: async ({ control, token, body }) => {
      const { bedId, deviceId } = body as z.infer<typeof stopSchema>;
      return ok({ order: orderToDto(await control.requestStop(token, bedId, deviceId)) }, 201);
    },
  },
  {
    method: 'GET', path: '/api/orders/:id', auth: false,
    run: (ctx) => {
      const view = ctx.control.order(order(ctx));
      return view ? ok({ order: orderToDto(view) }) : apiError(404, 'ORDER_NOT_FOUND', `no order ${order(ctx)}`);
    },
  },
  {
    method: 'POST', path: '/api/orders/:id/confirm', auth: false, body: confirmSchema,
    run: async (ctx) => ok({ order: orderToDto(await ctx.control.confirm(order(ctx), ctx.body as z.infer<typeof confirmSchema>)) }),
  },
  {
    method: 'POST', path: '/api/orders/:id/double-check', auth: false, body: doubleCheckSchema,
    run: async (ctx) => {
      const { username, password, enteredValue } = ctx.body as z.infer<typeof doubleCheckSchema>;
      return ok({ order: orderToDto(await ctx.control.doubleCheck(order(ctx), { username, password }, enteredValue)) });
    },
  },
  {
    method: 'POST', path: '/api/orders/:id/cancel', auth: true, body: cancelSchema,
    run: (ctx) => ok({ order: orderToDto(ctx.control.cancel(order(ctx), ctx.token, (ctx.body as z.infer<typeof cancelSchema>).reason)) }),
  },
  {
    method: 'POST', path: '/api/orders/:id/acknowledge', auth: true, body: emptySchema,
    run: (ctx) => ok({ order: orderToDto(ctx.control.acknowledgeOutcome(order(ctx), ctx.token)) }),
  },
  {
    method: 'GET', path: '/api/audit', auth: true,
    run: ({ control, token, body }) => {
      const query = body as z.infer<typeof auditQuerySchema>;
      const options = { limit: query.limit, ...(query.bedId === undefined ? {} : { bedId: query.bedId }) };
      return ok({ entries: control.audit(token, options).map(toAuditDto) });
    },
  },
];

/** `METHOD /path` of every API route (docs/station-api.md lists each). */
export const API_ROUTES: readonly string[] = ROUTES.map((r) => `${r.method} ${r.path}`);

function toAuditDto(e: { seq: number; time: number; actor: string; action: string; subject: string | null; details: object }): AuditEntryDto {
  return { seq: e.seq, time: e.time, actor: e.actor, action: e.action, subject: e.subject, details: { ...e.details } };
}

/** Matches a path against a route pattern; returns the order id (or '' when none), or null. */
function matchPath(pattern: string, path: string): string | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  let id = '';
  for (let i = 0; i < want.length; i++) {
    if (want[i] === ':id') id = got[i] ?? '';
    else if (want[i] !== got[i]) return null;
  }
  return id;
}

/** A decoded path segment; '' (never an order id) when its escapes are malformed. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

/** `Bearer <token>` -> token, else null. */
function bearerToken(req: IncomingMessage): string | null {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/.exec(req.headers.authorization ?? '');
  return match?.[1] ?? null;
}

/**
 * Answers one /api request (other than GET /api/state and /api/beds). Never throws and
 * never rejects: every failure becomes a JSON error answer. Without pump control, only
 * login, logout and me are served, and only when `sessionAuth` is given.
 */
export async function handleApiRequest(req: IncomingMessage, url: URL, control: ControlApi | undefined, log: Logger, sessionAuth?: StationAuth): Promise<JsonReply> {
  const auth = control ?? sessionAuth;
  const sessionOnly = ROUTES.some((r) => r.session && matchPath(r.path, url.pathname) !== null);
  if (!control && !(auth && sessionOnly)) return apiError(404, 'PUMP_CONTROL_OFF', 'pump control is not enabled on this gateway');
  // A static path segment never matches ':id', so /api/orders/stop finds the stop route first.
  const candidates = ROUTES.map((route) => ({ route, id: matchPath(route.path, url.pathname) })).filter((c) => c.id !== null);
  if (candidates.length === 0) return apiError(404, 'NOT_FOUND', `no API route ${url.pathname.slice(0, 100)}`);
  const match = candidates.find((c) => c.route.method === req.method || (req.method === 'HEAD' && c.route.method === 'GET'));
  if (!match) {
    const allow = [...new Set(candidates.map((c) => c.route.method))].join(', ');
    return { ...apiError(405, 'METHOD_NOT_ALLOWED', `${req.method ?? '?'} is not allowed here (allowed: ${allow})`), headers: { Allow: allow } };
  }
  const { route } = match;
  const routeName = `${route.method} ${route.path}`;
  try {
    let token = '';
    if (route.auth) {
      const found = bearerToken(req);
      if (found === null) return apiError(401, 'AUTH_REQUIRED', 'log in first: this needs an Authorization: Bearer <token> header');
      token = found;
    }
    let orderId = '';
    if (route.path.includes(':id')) {
      orderId = safeDecode(match.id ?? '');
      if (!isOrderId(orderId) || control?.order(orderId) === undefined) {
        return apiError(404, 'ORDER_NOT_FOUND', `no order ${JSON.stringify(orderId.slice(0, 64))}`);
      }
    }
    let body: unknown = undefined;
    if (route.method === 'POST') {
      const read = await readJsonBody(req, MAX_API_BODY_BYTES);
      if (!read.ok) {
        const close = read.code === 'BODY_TOO_LARGE' ? { headers: { Connection: 'close' } } : {};
        return { ...apiError(400, read.code, read.message, { field: 'body' }), ...close };
      }
      const parsed = (route.body ?? emptySchema).safeParse(read.value === undefined && route.body !== emptySchema ? null : read.value);
      if (!parsed.success) return invalidRequest(parsed.error);
      body = parsed.data;
    } else if (route.path === '/api/audit') {
      const parsed = auditQuerySchema.safeParse(Object.fromEntries(url.searchParams));
      if (!parsed.success) return invalidRequest(parsed.error, 'query');
      body = parsed.data;
    }
    // Without pump control only session routes get here, and they use `auth` alone.
    return await route.run({ control: control as ControlApi, auth: auth as StationAuth, req, url, token, orderId, body });
  } catch (err) {
    return errorReply(err, log, routeName);
  }
}
