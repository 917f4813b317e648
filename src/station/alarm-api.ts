/**
 * The station's alarm-control HTTP API under /api/beds/<bed>/ (docs/station-api.md
 * "Alarm-control HTTP API"): acknowledge, audio pause, alarm off, the bed's alarms with
 * their histories, its profile, profile switch and limit changes. Every command goes to
 * the AlarmControlApi, which authenticates, checks the role and audits before acting.
 * Only that module's TYPES are imported. Bodies are size-capped and zod-checked; no
 * input can crash the server.
 */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type { Logger } from '../core/logger.js';
import type { AlarmControlApi } from '../alarms/alarm-control-api.js';
import type { CommandResult } from '../alarms/engine/engine-events.js';
import type { BedAlarmsDto, BedProfileResponse } from './web/api-types.js';
import type { JsonReply } from './http-reply.js';
import { readJsonBody } from './http-body.js';
import { apiError, invalidRequest } from './api-errors.js';
import { alarmOffSchema, audioPauseSchema, limitChangeSchema, noBodySchema, profileSwitchSchema } from './alarm-api-schemas.js';
import { alarmToDto } from './station-protocol.js';

const MAX_BODY_BYTES = 16 * 1024;

interface Ctx {
  readonly alarms: AlarmControlApi;
  readonly token: string;
  readonly bedId: string;
  /** The third path parameter: alarm id or rule id. */
  readonly param: string;
  readonly body: unknown;
  /** Tells the live clients that a bed's profile or a limit changed. */
  readonly changed: ProfileChangeListener;
}

/** Called after a profile switch (`ruleId` null) or a limit change succeeded. */
export type ProfileChangeListener = (bedId: string, change: 'profile' | 'limit', ruleId: string | null) => void;

interface Route {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Below /api/beds/<bed>; `:p` is a path parameter. */
  readonly path: string;
  readonly auth: boolean;
  /** Body schema (POST and PUT). */
  readonly body?: z.ZodType;
  run(ctx: Ctx): JsonReply;
}

/** A command's refusal as an HTTP answer (401/403/404/409/400/500), or the success answer. */
export function commandReply(result: CommandResult, success: () => JsonReply): JsonReply {
  if (result.ok) return success();
  const { code, message } = result;
  const field = result.field === undefined ? {} : { field: result.field };
  switch (code) {
    case 'SESSION_INVALID':
    case 'SESSION_EXPIRED':
      return apiError(401, code, message);
    case 'FORBIDDEN':
      return apiError(403, code, message);
    case 'UNKNOWN_BED':
    case 'UNKNOWN_ALARM':
    case 'UNKNOWN_RULE':
    case 'UNKNOWN_PROFILE':
      return apiError(404, code, message, field);
    case 'INVALID_ARGUMENT':
    case 'INVALID_PROFILE':
      return apiError(400, 'REQUEST_INVALID', message, { reason: code, field: result.field ?? 'body' });
    case 'AUDIT_FAILED':
      return apiError(500, code, message);
    case 'ALREADY_ACKNOWLEDGED':
    case 'ALARM_OFF_NOT_ALLOWED':
    case 'NOT_A_LIMIT_RULE':
      return apiError(409, 'ALARM_REFUSED', message, { reason: code, ...field });
  }
}

function bedAlarms(alarms: AlarmControlApi, bedId: string): JsonReply {
  const s = alarms.snapshot(bedId);
  if (!s) return apiError(404, 'UNKNOWN_BED', `no bed ${JSON.stringify(bedId.slice(0, 64))}`);
  const record = (r: (typeof s.active)[number]) => ({ alarm: alarmToDto(r.alarm), history: r.history.map((h) => ({ ...h })) });
  const dto: BedAlarmsDto = {
    bedId: s.bedId, profileId: s.profileId, at: s.at, audioPausedUntil: s.audioPausedUntil, alarmsOff: s.alarmsOff.map((o) => ({ ...o })),
    active: s.active.map(record), recent: s.recent.map(record),
  };
  return { status: 200, body: { alarms: dto } };
}

function bedProfile(alarms: AlarmControlApi, bedId: string): JsonReply {
  const p = alarms.profile(bedId);
  if (!p) return apiError(404, 'UNKNOWN_BED', `no bed ${JSON.stringify(bedId.slice(0, 64))}`);
  // The profile is plain validated data (zod output): JSON as it is.
  const body = JSON.parse(JSON.stringify({ profile: { current: p.current, available: p.available, configuredId: p.configuredId, changedRules: p.changedRules } })) as BedProfileResponse;
  return { status: 200, body };
}

const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/alarms', auth: false, run: ({ alarms, bedId }) => bedAlarms(alarms, bedId) },
  {
    method: 'POST', path: '/alarms/:p/acknowledge', auth: true, body: noBodySchema,
    run: ({ alarms, token, bedId, param }) => commandReply(alarms.acknowledge(token, bedId, param), () => bedAlarms(alarms, bedId)),
  },
  {
    method: 'POST', path: '/audio-pause', auth: true, body: audioPauseSchema,
    run: ({ alarms, token, bedId, body }) => {
      const ms = (body as z.infer<typeof audioPauseSchema>)?.ms;
      return commandReply(alarms.pauseAudio(token, bedId, ms), () => bedAlarms(alarms, bedId));
    },
  },
  {
    method: 'POST', path: '/alarm-off', auth: true, body: alarmOffSchema,
    run: ({ alarms, token, bedId, body }) => {
      const { ruleId, off } = body as z.infer<typeof alarmOffSchema>;
      return commandReply(alarms.setAlarmOff(token, bedId, ruleId, off), () => bedAlarms(alarms, bedId));
    },
  },
  { method: 'GET', path: '/profile', auth: false, run: ({ alarms, bedId }) => bedProfile(alarms, bedId) },
  {
    method: 'PUT', path: '/profile', auth: true, body: profileSwitchSchema,
    run: ({ alarms, token, bedId, body, changed }) =>
      commandReply(alarms.setProfile(token, bedId, (body as z.infer<typeof profileSwitchSchema>).profileId), () => {
        changed(bedId, 'profile', null);
        return bedProfile(alarms, bedId);
      }),
  },
  {
    method: 'PUT', path: '/limits/:p', auth: true, body: limitChangeSchema,
    run: ({ alarms, token, bedId, param, body, changed }) =>
      commandReply(alarms.setLimit(token, bedId, param, body as z.infer<typeof limitChangeSchema>), () => {
        changed(bedId, 'limit', param);
        return bedProfile(alarms, bedId);
      }),
  },
];

/** `METHOD /path` of every alarm route (docs/station-api.md lists each). */
export const ALARM_API_ROUTES: readonly string[] = ROUTES.map((r) => `${r.method} /api/beds/:bed${r.path.replace(':p', r.path.startsWith('/alarms') ? ':alarmId' : ':ruleId')}`);

/** A decoded path segment: 1-128 characters without control characters, else null. */
function segment(raw: string | undefined): string | null {
  let text: string;
  try {
    text = decodeURIComponent(raw ?? '');
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  return text.length >= 1 && text.length <= 128 && !/[\u0000-\u001f\u007f]/.test(text) ? text : null;
}

function bearerToken(req: IncomingMessage): string | null {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/.exec(req.headers.authorization ?? '');
  return match?.[1] ?? null;
}

/** True for a path this module answers. */
export function isAlarmApiPath(path: string): boolean {
  return path.startsWith('/api/beds/');
}

/**
 * Answers one /api/beds request. Never throws and never rejects: every failure is a
 * JSON error answer. Order of checks: route and method, session present (401), bed
 * (404), body (400), then the command (401/403/404/409/400/500 from its result).
 */
export async function handleAlarmApiRequest(
  req: IncomingMessage,
  url: URL,
  alarms: AlarmControlApi | undefined,
  log: Logger,
  changed: ProfileChangeListener = () => undefined,
): Promise<JsonReply> {
  if (!alarms) return apiError(404, 'ALARM_CONTROL_OFF', 'alarm control is not enabled on this gateway');
  const parts = url.pathname.split('/'); // ['', 'api', 'beds', <bed>, ...rest]
  const rest = `/${parts.slice(4).join('/')}`;
  const candidates = ROUTES.flatMap((route) => {
    const want = route.path.split('/');
    const got = rest.split('/');
    if (want.length !== got.length || want.some((w, i) => w !== ':p' && w !== got[i])) return [];
    return [{ route, param: got[want.indexOf(':p')] }];
  });
  if (candidates.length === 0) return apiError(404, 'NOT_FOUND', `no API route ${url.pathname.slice(0, 100)}`);
  const match = candidates.find((c) => c.route.method === req.method || (req.method === 'HEAD' && c.route.method === 'GET'));
  if (!match) {
    const allow = [...new Set(candidates.map((c) => c.route.method))].join(', ');
    return { ...apiError(405, 'METHOD_NOT_ALLOWED', `${req.method ?? '?'} is not allowed here (allowed: ${allow})`), headers: { Allow: allow } };
  }
  const { route } = match;
  try {
    const token = route.auth ? bearerToken(req) : '';
    if (token === null) return apiError(401, 'AUTH_REQUIRED', 'log in first: this needs an Authorization: Bearer <token> header');
    const bedId = segment(parts[3]);
    if (bedId === null || alarms.snapshot(bedId) === undefined) return apiError(404, 'UNKNOWN_BED', `no bed ${JSON.stringify((bedId ?? '').slice(0, 64))}`);
    const param = match.param === undefined ? '' : segment(match.param);
    if (param === null) return apiError(404, route.path.startsWith('/alarms') ? 'UNKNOWN_ALARM' : 'UNKNOWN_RULE', 'bad id in the path');
    let body: unknown;
    if (route.method !== 'GET') {
      const read = await readJsonBody(req, MAX_BODY_BYTES);
      if (!read.ok) return { ...apiError(400, read.code, read.message, { field: 'body' }), ...(read.code === 'BODY_TOO_LARGE' ? { headers: { Connection: 'close' } } : {}) };
      const parsed = (route.body ?? noBodySchema).safeParse(read.value);
      if (!parsed.success) return invalidRequest(parsed.error);
      body = parsed.data;
    }
    return route.run({ alarms, token, bedId, param, body, changed });
  } catch (err) {
    log.error({ err, route: `${route.method} ${route.path}` }, 'alarm API request failed');
    return apiError(500, 'INTERNAL', 'the gateway failed to handle this request (see its log); check the alarm state before trying again');
  }
}
