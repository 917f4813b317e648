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
  /*
   * Signalling state from the alarm engine (docs/alarms.md "Lifecycle"); absent for
   * alarms of a gateway without it. IEC 60601-1-8: none of them removes the visual signal.
   */
  /** The profile rule that raised it (`external` for alarms from outside the engine). */
  ruleId?: string;
  /** The condition itself still holds (false while latched). */
  conditionActive?: boolean;
  /** The condition ended but the alarm stays until acknowledged. */
  latched?: boolean;
  acknowledged?: boolean;
  /** Who acknowledged it (display name), or null. */
  acknowledgedBy?: string | null;
  acknowledgedAt?: number | null;
  /** Silenced by the bed's audio pause. */
  audioPaused?: boolean;
  /** Sounds now: not acknowledged, not audio-paused. */
  audible?: boolean;
  /** 0 at the bedside; n after the nth escalation tier. */
  escalationTier?: number;
  /** `bedside`, then the tiers' names, e.g. `charge-nurse`. */
  escalationTarget?: string;
}

/** A bed's alarm signalling state (with alarm control), in snapshots. */
export interface BedAlarmStateDto {
  profileId: string;
  /** Server time when the bed's audio pause ends, or null. */
  audioPausedUntil: number | null;
  /** Rules turned off, since when and by whom. */
  alarmsOff: Array<{ ruleId: string; since: number; by: string }>;
}

/** Something the alarm engine did besides an alarm edge (docs/station-api.md `alarm-event`). */
export type AlarmEventDto =
  | { kind: 'acknowledged'; bedId: string; alarmId: string; code: string; by: string; at: number; ended: boolean }
  | { kind: 'audio-paused'; bedId: string; by: string | null; at: number; until: number; alarmIds: string[] }
  | { kind: 'audio-resumed'; bedId: string; at: number; alarmIds: string[] }
  | { kind: 'escalated'; bedId: string; alarmId: string; code: string; priority: AlarmPriorityDto; tier: number; target: string; at: number }
  | { kind: 'alarm-off'; bedId: string; ruleId: string; off: boolean; by: string; at: number }
  | { kind: 'alarm-off-reminder'; bedId: string; ruleId: string; offSince: number; by: string; at: number }
  | { kind: 'profile-changed'; bedId: string; profileId: string; label: string; change: 'profile' | 'limit'; ruleId: string | null; at: number };

/**
 * A run of consecutive samples of one waveform (mirrors src/model/waveform.ts
 * WaveformChunk), e.g. 25 pleth samples of a Nonin oximeter (1/3 s at 75 Hz).
 */
export interface WaveformChunkDto {
  bedId: string;
  deviceId: string;
  /** Waveform metric id, e.g. `pleth`. */
  metric: string;
  /** MDC term code of the waveform. */
  code: number;
  /** Samples per second. */
  sampleRateHz: number;
  /** Values in device units; `null` = sample marked invalid (e.g. sensor off): drawn as a gap. */
  samples: Array<number | null>;
  /** The range the device's values can take. */
  range: { min: number; max: number };
  /** Gateway receive time of the last sample, epoch ms (server clock). */
  receivedAt: number;
  /** Index of the first sample since the driver started; a jump means samples were lost. */
  firstSampleIndex: number;
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
  /** Audio pause and alarms off, when the gateway has alarm control. */
  alarmState?: BedAlarmStateDto | null;
}

/** How a rate is expressed (mirrors src/control/order-types.ts DoseUnit). */
export type DoseUnitDto = 'mg/kg/h' | 'mL/h';

/** A user as an order records them. */
export interface OrderUserDto {
  id: number;
  username: string;
  displayName: string;
  role: 'nurse' | 'physician' | 'admin';
}

/** What is in the syringe and for whom (the bed's configured infusion programme). */
export interface InfusionProgrammeDto {
  drugId: string;
  drugName: string;
  concentrationMgPerMl: number;
  patientWeightKg: number;
  highAlert: boolean;
  dosingUnit: DoseUnitDto;
}

/** The pump as last read back from the device itself. `fresh` false = link down or reading too old. */
export interface PumpReadingDto {
  rateMlPerHour: number | null;
  runState: 'running' | 'stopped' | 'unknown';
  serial: string | null;
  volumeInfusedMl: number | null;
  vtbiRemainingMl: number | null;
  fresh: boolean;
  readAt: number | null;
}

/** A pump under pump control (mirrors src/control/control-api.ts PumpView). */
export interface PumpViewDto {
  bedId: string;
  deviceId: string;
  label: string;
  programme: InfusionProgrammeDto;
  reading: PumpReadingDto;
  /** Current dose from the read-back rate, mg/kg/h; null when unknown. */
  doseMgPerKgPerHour: number | null;
  /** The pump's open order, if any (one at a time per pump). */
  openOrderId: string | null;
}

/** A change made at the pump's own keypad, not through Vigil. */
export interface PumpChangeDto {
  bedId: string;
  deviceId: string;
  kind: 'rate' | 'run-state';
  before: string;
  after: string;
  at: number;
}

export type OrderStateDto =
  | 'awaiting-confirmation'
  | 'awaiting-double-check'
  | 'executing'
  | 'awaiting-readback'
  | 'verified'
  | 'not-verified'
  | 'refused'
  | 'expired'
  | 'cancelled';

/** Where a requested dose falls in the drug library. */
export interface LimitCheckDto {
  band: 'within' | 'soft-low' | 'soft-high';
  softMin: number;
  softMax: number;
  hardMin: number;
  hardMax: number;
  unit: DoseUnitDto;
  overrideReason: string | null;
}

/** One step of an order's history. */
export interface OrderEventDto {
  at: number;
  state: OrderStateDto;
  by: OrderUserDto | null;
  note: string;
}

/** A rate-change or stop order (mirrors src/control/order-types.ts OrderView). */
export interface OrderViewDto {
  id: string;
  kind: 'rate-change' | 'stop';
  bedId: string;
  deviceId: string;
  state: OrderStateDto;
  programme: InfusionProgrammeDto;
  targetRateMlPerHour: number | null;
  targetDoseMgPerKgPerHour: number | null;
  requestedAs: { value: number; unit: DoseUnitDto } | null;
  limitCheck: LimitCheckDto | null;
  pumpAtRequest: PumpReadingDto;
  requestedBy: OrderUserDto;
  requestedAt: number;
  expiresAt: number;
  confirmedBy: OrderUserDto | null;
  doubleCheckedBy: OrderUserDto | null;
  readback: PumpReadingDto | null;
  /** Why it was refused or not verified, in words a nurse reads. */
  outcome: { code: string; message: string } | null;
  /** Append-only: a longer history is a newer view of the same order. */
  history: OrderEventDto[];
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
  /** True when this gateway offers pump control (login, orders); false: no pump controls shown. */
  pumpControl: boolean;
  /** True when alarms can be acknowledged, paused and tuned from the station (/api/beds). */
  alarmControl?: boolean;
  /** Every pump under pump control (empty when pumpControl is false). */
  pumps: PumpViewDto[];
  /** Open orders and the most recent closed ones, newest first. */
  orders: OrderViewDto[];
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
/** An acknowledgement, audio pause or resume, escalation, alarm off or reminder, or a profile change. */
export interface AlarmEventMessage extends Envelope<'alarm-event'> {
  event: AlarmEventDto;
}
/** A pump's reading, programme or open order changed. */
export interface PumpMessage extends Envelope<'pump'> {
  pump: PumpViewDto;
}
/** An order changed state (every step, from request to verified / not verified). */
export interface OrderMessage extends Envelope<'order'> {
  order: OrderViewDto;
}
/** The pump was changed at its own keypad. */
export interface PumpChangeMessage extends Envelope<'pump-change'> {
  change: PumpChangeDto;
}
/**
 * One waveform chunk, forwarded as it arrives; only to clients that subscribed to
 * waveforms. Never in a snapshot: a trace is live only. A client under back-pressure
 * may miss chunks (it sees a jump in `firstSampleIndex`).
 */
export interface WaveformMessage extends Envelope<'waveform'> {
  waveform: WaveformChunkDto;
}
/** Reply to `subscribe`: what this connection now receives. */
export interface SubscribedMessage extends Envelope<'subscribed'> {
  waveforms: boolean;
  requestId?: string;
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
  | AlarmEventMessage
  | PumpMessage
  | OrderMessage
  | PumpChangeMessage
  | WaveformMessage
  | SubscribedMessage
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

/** Opts this connection in to (or out of) `waveform` messages. Default: out. */
export interface SubscribeMessage extends Envelope<'subscribe'> {
  waveforms: boolean;
  requestId?: string;
}

export type ClientMessage = PingMessage | GetSnapshotMessage | SubscribeMessage;
