/**
 * The nurse-station WebSocket API, version 1: the one place where message shapes are
 * written down as TypeScript types. The browser client imports it directly; the server
 * (src/station/station-protocol.ts) imports the same types, checks at compile time that
 * the gateway's model types fit them, and holds the zod schemas that validate them.
 *
 * This file must stay free of DOM and Node APIs and import nothing, because it is
 * compiled twice: by tsconfig.web.json for the browser and by tsconfig.json for the server.
 * See docs/station-api.md.
 */

/** The protocol version carried as `v` in every message. */
export const STATION_PROTOCOL_VERSION = 1;

export type SessionKind = 'iv-ketamine' | 'im-ketamine' | 'other';
export type AlarmPriorityDto = 'high' | 'medium' | 'low';
export type AlarmPhaseDto = 'start' | 'update' | 'end';

/** One measured value (mirrors src/model/observation.ts). `value` null = no value, never 0. */
export interface ObservationDto {
  bedId: string;
  deviceId: string;
  /** Vigil metric id, e.g. `spo2`, `pulse-rate`. */
  metric: string;
  /** MDC term code. */
  code: number;
  value: number | null;
  /** UCUM unit. */
  unit: string;
  deviceTime: number | null;
  /** Gateway receive time, epoch ms (server clock). */
  receivedAt: number;
  flags: Array<'unavailable' | 'questionable'>;
}

/** A device's link and data state (mirrors src/model/device-events.ts DeviceStatus). */
export interface DeviceStatusDto {
  bedId: string;
  deviceId: string;
  driver: string;
  link: 'connecting' | 'open' | 'closed';
  data: 'awaiting' | 'receiving' | 'silent';
  lastDataAt: number | null;
  since: number;
  lastError: string | null;
  counters: { messages: number; rejected: number };
  identity?: { serial?: string; model?: string };
  /** The device's own alarm system, when its protocol reports it: sounding, or audio paused at the bedside. */
  deviceAlarm?: { alarming: boolean; silenced: boolean };
}

/** An alarm condition (mirrors src/alarms/alarm.ts AlarmCondition). */
export interface AlarmDto {
  id: string;
  bedId: string;
  deviceId: string | null;
  code: string;
  kind: 'physiological' | 'technical';
  priority: AlarmPriorityDto;
  message: string;
  startedAt: number;
  updatedAt: number;
  endedAt: number | null;
  value?: number | null;
  limit?: number | null;
}

/** A configured device of a bed, with its latest status (null before the first one). */
export interface DeviceSnapshot {
  id: string;
  driver: string;
  /** Transport description, e.g. `tcp://10.0.0.5:4001`. */
  transport: string;
  status: DeviceStatusDto | null;
}

/** Everything the station knows about one bed. */
export interface BedSnapshot {
  id: string;
  label: string;
  session: SessionKind;
  /** False for a bed that is not in the configuration but sent data (shown, never hidden). */
  configured: boolean;
  devices: DeviceSnapshot[];
  /** Latest observation per device and metric. */
  observations: ObservationDto[];
  /** Active alarms, highest priority first, then newest first. */
  alarms: AlarmDto[];
}

interface Envelope<T extends string> {
  v: typeof STATION_PROTOCOL_VERSION;
  type: T;
}

/** Sent once, first, on every connection. */
export interface HelloMessage extends Envelope<'hello'> {
  protocol: typeof STATION_PROTOCOL_VERSION;
  /** Server clock, epoch ms: the client derives its clock offset from it. */
  serverTime: number;
}
/** The whole state: sent after `hello` and in reply to `get-snapshot`. */
export interface SnapshotMessage extends Envelope<'snapshot'> {
  serverTime: number;
  beds: BedSnapshot[];
  /** The `id` of the `get-snapshot` this answers, if it had one. */
  requestId?: string;
}
export interface ObservationMessage extends Envelope<'observation'> {
  observation: ObservationDto;
}
export interface DeviceStatusMessage extends Envelope<'device-status'> {
  status: DeviceStatusDto;
}
export interface AlarmMessage extends Envelope<'alarm'> {
  phase: AlarmPhaseDto;
  alarm: AlarmDto;
}
export interface PongMessage extends Envelope<'pong'> {
  serverTime: number;
  requestId?: string;
}
/** Stable codes of `error` messages. */
export type StationErrorCode =
  | 'MESSAGE_NOT_JSON'
  | 'MESSAGE_TOO_LARGE'
  | 'UNSUPPORTED_VERSION'
  | 'UNKNOWN_TYPE'
  | 'INVALID_MESSAGE';
export interface ErrorMessage extends Envelope<'error'> {
  code: StationErrorCode;
  /** Names what was wrong, e.g. `requestId: Invalid input: expected string, received number`. */
  message: string;
  requestId?: string;
}

export type ServerMessage =
  | HelloMessage
  | SnapshotMessage
  | ObservationMessage
  | DeviceStatusMessage
  | AlarmMessage
  | PongMessage
  | ErrorMessage;

/** Liveness check; the server answers `pong` with its time. */
export interface PingMessage extends Envelope<'ping'> {
  requestId?: string;
}
/** Asks for a fresh `snapshot`. */
export interface GetSnapshotMessage extends Envelope<'get-snapshot'> {
  requestId?: string;
}

export type ClientMessage = PingMessage | GetSnapshotMessage;
