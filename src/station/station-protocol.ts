/**
 * The nurse-station WebSocket API (version 1): zod schemas for every message and the
 * parser the server uses for what clients send. The message types themselves live in
 * ./web/protocol-types.ts so the browser client compiles against the same definitions.
 * Human documentation: docs/station-api.md.
 */
import { z } from 'zod';
import type { Observation } from '../model/observation.js';
import type { DeviceStatus } from '../model/device-events.js';
import type { AlarmCondition, AlarmEvent } from '../alarms/alarm.js';
import type { WaveformChunk } from '../model/waveform.js';
import type { EngineAlarmCondition } from '../alarms/engine/engine-events.js';
import {
  STATION_PROTOCOL_VERSION,
  type AlarmDto,
  type BedSnapshot,
  type ClientMessage,
  type DeviceStatusDto,
  type ErrorMessage,
  type ObservationDto,
  type ServerMessage,
  type StationErrorCode,
  type WaveformChunkDto,
  type WaveformMessage,
} from './web/protocol-types.js';
import { orderViewSchema, pumpChangeSchema, pumpViewSchema } from './pump-protocol.js';
import { alarmEventSchema, bedAlarmStateSchema } from './alarm-protocol.js';

export * from './web/protocol-types.js';

/*
 * Compile-time proof that the gateway's model types fit the wire types: if a model
 * type changes incompatibly, these lines stop compiling. (Readonly arrays are
 * copied where the wire type is mutable.)
 */
export function observationToDto(o: Observation): ObservationDto {
  return { ...o, flags: [...o.flags] };
}
export function deviceStatusToDto(s: DeviceStatus): DeviceStatusDto {
  return {
    ...s,
    counters: { ...s.counters },
    ...(s.identity ? { identity: { ...s.identity } } : {}),
    ...(s.deviceAlarm ? { deviceAlarm: { ...s.deviceAlarm } } : {}),
  };
}
/** The wire form of an alarm: the condition, plus the engine's signalling state when present. */
export function alarmToDto(a: AlarmCondition | EngineAlarmCondition): AlarmDto {
  const { id, bedId, deviceId, code, kind, priority, message, startedAt, updatedAt, endedAt } = a;
  const dto: AlarmDto = { id, bedId, deviceId, code, kind, priority, message, startedAt, updatedAt, endedAt };
  if (a.value !== undefined) dto.value = a.value;
  if (a.limit !== undefined) dto.limit = a.limit;
  if ('acknowledged' in a) {
    const e = a;
    Object.assign(dto, {
      ruleId: e.ruleId, conditionActive: e.conditionActive, latched: e.latched, acknowledged: e.acknowledged, acknowledgedBy: e.acknowledgedBy,
      acknowledgedAt: e.acknowledgedAt, audioPaused: e.audioPaused, audible: e.audible, escalationTier: e.escalationTier, escalationTarget: e.escalationTarget,
    });
  }
  return dto;
}
export function waveformToDto(w: WaveformChunk): WaveformChunkDto {
  return { ...w, samples: [...w.samples], range: { ...w.range } };
}

/** `true` only when every field of the model type also exists on the wire type. */
type Covers<Model, Dto> = [Exclude<keyof Model, keyof Dto>] extends [never] ? true : false;
// A field added to a model type must be added to protocol-types.ts (and its schema) too.
export const WIRE_TYPES_COVER_MODEL: [
  Covers<Observation, ObservationDto>,
  Covers<DeviceStatus, DeviceStatusDto>,
  Covers<AlarmCondition, AlarmDto>,
  Covers<EngineAlarmCondition, AlarmDto>,
  Covers<WaveformChunk, WaveformChunkDto>,
] = [true, true, true, true, true];

const version = z.literal(STATION_PROTOCOL_VERSION);
const epochMs = z.number().finite();
const requestId = z.string().min(1).max(64);

export const observationSchema = z.object({
  bedId: z.string(),
  deviceId: z.string(),
  metric: z.string(),
  code: z.number().int(),
  value: z.number().finite().nullable(),
  unit: z.string(),
  deviceTime: epochMs.nullable(),
  receivedAt: epochMs,
  flags: z.array(z.enum(['unavailable', 'questionable'])),
}) satisfies z.ZodType<ObservationDto>;

export const deviceStatusSchema = z.object({
  bedId: z.string(),
  deviceId: z.string(),
  driver: z.string(),
  link: z.enum(['connecting', 'open', 'closed']),
  data: z.enum(['awaiting', 'receiving', 'silent']),
  lastDataAt: epochMs.nullable(),
  since: epochMs,
  lastError: z.string().nullable(),
  counters: z.object({ messages: z.number().int().min(0), rejected: z.number().int().min(0) }),
  identity: z.object({ serial: z.string().optional(), model: z.string().optional() }).optional(),
  deviceAlarm: z.object({ alarming: z.boolean(), silenced: z.boolean() }).optional(),
}) satisfies z.ZodType<DeviceStatusDto>;

export const alarmSchema = z.object({
  id: z.string(),
  bedId: z.string(),
  deviceId: z.string().nullable(),
  code: z.string(),
  kind: z.enum(['physiological', 'technical']),
  priority: z.enum(['high', 'medium', 'low']),
  message: z.string(),
  startedAt: epochMs,
  updatedAt: epochMs,
  endedAt: epochMs.nullable(),
  value: z.number().nullable().optional(),
  limit: z.number().nullable().optional(),
  ruleId: z.string().optional(),
  conditionActive: z.boolean().optional(),
  latched: z.boolean().optional(),
  acknowledged: z.boolean().optional(),
  acknowledgedBy: z.string().nullable().optional(),
  acknowledgedAt: epochMs.nullable().optional(),
  audioPaused: z.boolean().optional(),
  audible: z.boolean().optional(),
  escalationTier: z.number().int().min(0).optional(),
  escalationTarget: z.string().optional(),
}) satisfies z.ZodType<AlarmDto>;


export const waveformChunkSchema = z.object({
  bedId: z.string(),
  deviceId: z.string(),
  metric: z.string(),
  code: z.number().int(),
  sampleRateHz: z.number().finite().positive(),
  samples: z.array(z.number().finite().nullable()),
  range: z.object({ min: z.number().finite(), max: z.number().finite() }),
  receivedAt: epochMs,
  firstSampleIndex: z.number().int().min(0),
}) satisfies z.ZodType<WaveformChunkDto>;

export const bedSnapshotSchema = z.object({
  id: z.string(),
  label: z.string(),
  session: z.enum(['iv-ketamine', 'im-ketamine', 'other']),
  configured: z.boolean(),
  devices: z.array(
    z.object({ id: z.string(), driver: z.string(), transport: z.string(), status: deviceStatusSchema.nullable() }),
  ),
  observations: z.array(observationSchema),
  alarms: z.array(alarmSchema),
  alarmState: bedAlarmStateSchema.nullable().optional(),
}) satisfies z.ZodType<BedSnapshot>;

/** Every message the server may send. Clients and tests validate with it. */
export const serverMessageSchema = z.discriminatedUnion('type', [
  z.object({ v: version, type: z.literal('hello'), protocol: version, serverTime: epochMs }),
  z.object({
    v: version,
    type: z.literal('snapshot'),
    serverTime: epochMs,
    beds: z.array(bedSnapshotSchema),
    pumpControl: z.boolean(),
    alarmControl: z.boolean().optional(),
    pumps: z.array(pumpViewSchema),
    orders: z.array(orderViewSchema),
    requestId: requestId.optional(),
  }),
  z.object({ v: version, type: z.literal('observation'), observation: observationSchema }),
  z.object({ v: version, type: z.literal('device-status'), status: deviceStatusSchema }),
  z.object({ v: version, type: z.literal('alarm'), phase: z.enum(['start', 'update', 'end']), alarm: alarmSchema }),
  z.object({ v: version, type: z.literal('alarm-event'), event: alarmEventSchema }),
  z.object({ v: version, type: z.literal('pump'), pump: pumpViewSchema }),
  z.object({ v: version, type: z.literal('order'), order: orderViewSchema }),
  z.object({ v: version, type: z.literal('pump-change'), change: pumpChangeSchema }),
  z.object({ v: version, type: z.literal('waveform'), waveform: waveformChunkSchema }),
  z.object({ v: version, type: z.literal('subscribed'), waveforms: z.boolean(), requestId: requestId.optional() }),
  z.object({ v: version, type: z.literal('pong'), serverTime: epochMs, requestId: requestId.optional() }),
  z.object({
    v: version,
    type: z.literal('error'),
    code: z.enum(['MESSAGE_NOT_JSON', 'MESSAGE_TOO_LARGE', 'UNSUPPORTED_VERSION', 'UNKNOWN_TYPE', 'INVALID_MESSAGE']),
    message: z.string(),
    requestId: requestId.optional(),
  }),
]) satisfies z.ZodType<ServerMessage>;

/**
 * Schemas of client messages by type. Strict: an unknown field is an error, so a typo
 * is reported rather than silently ignored. New client messages (acknowledgements,
 * rate-change orders) are added here and in protocol-types.ts.
 */
const clientMessageSchemas = {
  ping: z.strictObject({ v: version, type: z.literal('ping'), requestId: requestId.optional() }),
  'get-snapshot': z.strictObject({ v: version, type: z.literal('get-snapshot'), requestId: requestId.optional() }),
  subscribe: z.strictObject({
    v: version,
    type: z.literal('subscribe'),
    waveforms: z.boolean(),
    requestId: requestId.optional(),
  }),
} as const satisfies Record<ClientMessage['type'], z.ZodType<ClientMessage>>;

/** Result of parsing one client frame: the message, or the error reply to send. */
export type ClientParseResult =
  | { ok: true; message: ClientMessage }
  | { ok: false; error: ErrorMessage };

/** Builds an `error` message. */
export function errorMessage(code: StationErrorCode, message: string, requestIdValue?: string): ErrorMessage {
  return {
    v: STATION_PROTOCOL_VERSION,
    type: 'error',
    code,
    message,
    ...(requestIdValue === undefined ? {} : { requestId: requestIdValue }),
  };
}

/** `path: message` for the first few issues of a zod error, e.g. `requestId: Invalid input: ...`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(message)'}: ${issue.message}`)
    .join('; ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses one text frame from a client. Never throws: anything wrong becomes an
 * `error` message that names the problem (not JSON, version, unknown type, bad field).
 */
export function parseClientMessage(text: string): ClientParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, error: errorMessage('MESSAGE_NOT_JSON', `message is not valid JSON: ${detail}`) };
  }
  if (!isRecord(raw)) {
    return { ok: false, error: errorMessage('INVALID_MESSAGE', 'message must be a JSON object') };
  }
  const echoId = typeof raw.requestId === 'string' && raw.requestId.length <= 64 ? raw.requestId : undefined;
  if (raw.v !== STATION_PROTOCOL_VERSION) {
    const got = JSON.stringify(raw.v) ?? 'nothing';
    const text = `v: unsupported protocol version ${got}, this server speaks ${STATION_PROTOCOL_VERSION}`;
    return { ok: false, error: errorMessage('UNSUPPORTED_VERSION', text, echoId) };
  }
  if (typeof raw.type !== 'string') {
    return { ok: false, error: errorMessage('INVALID_MESSAGE', 'type: expected a string', echoId) };
  }
  if (!Object.hasOwn(clientMessageSchemas, raw.type)) {
    const known = Object.keys(clientMessageSchemas).join(', ');
    const text = `type: unknown message type ${JSON.stringify(raw.type.slice(0, 64))} (known: ${known})`;
    return { ok: false, error: errorMessage('UNKNOWN_TYPE', text, echoId) };
  }
  const schema = clientMessageSchemas[raw.type as ClientMessage['type']];
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, error: errorMessage('INVALID_MESSAGE', describeIssues(parsed.error), echoId) };
  }
  return { ok: true, message: parsed.data };
}

/** The `waveform` message for one chunk. */
export function waveformMessage(chunk: WaveformChunk): WaveformMessage {
  return { v: STATION_PROTOCOL_VERSION, type: 'waveform', waveform: waveformToDto(chunk) };
}

/** The `alarm` message for one lifecycle edge. */
export function alarmMessage(event: AlarmEvent): ServerMessage {
  return { v: STATION_PROTOCOL_VERSION, type: 'alarm', phase: event.phase, alarm: alarmToDto(event.alarm) };
}
