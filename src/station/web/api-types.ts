/**
 * The nurse-station HTTP JSON API under /api (pump control, login, audit): request and
 * response bodies, shared by the server (src/station/station-api.ts, whose zod schemas
 * check them) and the browser client. Type-only imports, no DOM or Node APIs: compiled
 * for both. Human documentation: docs/station-api.md.
 */
import type { AlarmDto, AlarmPriorityDto, DoseUnitDto, LimitCheckDto, OrderUserDto, OrderViewDto, PumpViewDto } from './protocol-types.js';

/** Stable codes of API errors. Branch on these, never on the message. */
export type ApiErrorCode =
  /** 400: the body is not JSON. */
  | 'BODY_NOT_JSON'
  /** 400: the body exceeds the size limit (16 KiB). */
  | 'BODY_TOO_LARGE'
  /** 400: a field is missing, of the wrong type, out of range or unknown; `field` names it. */
  | 'REQUEST_INVALID'
  /** 401: no `Authorization: Bearer <token>` header. */
  | 'AUTH_REQUIRED'
  /** 401: wrong username or password (login, confirmation or double check). */
  | 'AUTH_FAILED'
  /** 401: the session token is unknown or ended. */
  | 'SESSION_INVALID'
  | 'SESSION_EXPIRED'
  /** 409: the workflow refused; `reason` is its stable code, the message says why in words. */
  | 'ORDER_REFUSED'
  /** 404: no such order. */
  | 'ORDER_NOT_FOUND'
  /** 404: no such route; also every pump route when this gateway has no pump control. */
  | 'NOT_FOUND'
  | 'PUMP_CONTROL_OFF'
  /** 405 */
  | 'METHOD_NOT_ALLOWED'
  /** 403: the user's role may not do this (alarm commands: nurse or physician). */
  | 'FORBIDDEN'
  /** 404: this gateway has no alarm control; every /api/beds route answers it. */
  | 'ALARM_CONTROL_OFF'
  /** 404: no such bed, active alarm, rule of the bed's profile, or shipped profile. */
  | 'UNKNOWN_BED'
  | 'UNKNOWN_ALARM'
  | 'UNKNOWN_RULE'
  | 'UNKNOWN_PROFILE'
  /** 409: the alarm engine refused; `reason` is its stable code (e.g. `ALREADY_ACKNOWLEDGED`). */
  | 'ALARM_REFUSED'
  /** 500: the audit log could not record an alarm command, so it was not done. */
  | 'AUDIT_FAILED'
  /** 500: the gateway failed; the message says what, details are in its log. */
  | 'INTERNAL';

/** Every non-2xx answer. */
export interface ApiErrorBody {
  error: {
    /** An ApiErrorCode, or the code of a gateway error passed through (e.g. AUDIT_WRITE_FAILED). */
    code: string;
    message: string;
    /** The bad field of a REQUEST_INVALID, e.g. `value`. */
    field?: string;
    /** ORDER_REFUSED / ALARM_REFUSED / REQUEST_INVALID of an alarm command: the stable reason code, e.g. `HARD_LIMIT`, `ALREADY_ACKNOWLEDGED`. */
    reason?: string;
    /** ORDER_REFUSED by the drug library: where the dose fell and the limits. */
    limitCheck?: LimitCheckDto;
  };
}

export interface LoginRequest {
  username: string;
  password: string;
}
export interface LoginResponse {
  /** Send as `Authorization: Bearer <token>`. */
  token: string;
  user: OrderUserDto;
  /** Epoch ms of the absolute expiry (the session may also end earlier when idle). */
  expiresAt: number;
}
export interface MeResponse {
  user: OrderUserDto;
}

export interface RateChangeRequestBody {
  bedId: string;
  deviceId: string;
  value: number;
  unit: DoseUnitDto;
  /** Required when the dose is outside the drug library's soft limits. */
  overrideReason?: string;
}
export interface StopRequestBody {
  bedId: string;
  deviceId: string;
}
/** A signature typed at that moment. */
export interface ConfirmBody {
  username: string;
  password: string;
}
export interface DoubleCheckBody {
  username: string;
  password: string;
  /** The new rate as the second nurse typed it, in the order's unit. */
  enteredValue: number;
}
export interface CancelBody {
  reason: string;
}

export interface OrderResponse {
  order: OrderViewDto;
}
export interface OrdersResponse {
  orders: OrderViewDto[];
}
export interface PumpsResponse {
  pumps: PumpViewDto[];
}

/** One audit log entry as the station shows it (hashes left out; `vigil audit verify` checks them). */
export interface AuditEntryDto {
  seq: number;
  /** Epoch ms. */
  time: number;
  /** `user:<id>`, `system`, `device:<id>` or `cli:<user>`. */
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
}
export interface AuditResponse {
  entries: AuditEntryDto[];
}

/* Alarm control (/api/beds/<bed>/...). */

export interface AudioPauseBody {
  /** How long, ms (default: the profile's audioPauseMs; at most its audioPauseMaxMs). */
  ms?: number;
}
export interface AlarmOffBody {
  ruleId: string;
  off: boolean;
}
export interface ProfileSwitchBody {
  profileId: string;
}
/** A limit rule's new values; give at least one. `null` removes that side of the limit. */
export interface LimitChangeBody {
  low?: number | null;
  high?: number | null;
  priority?: AlarmPriorityDto;
  delayMs?: number;
}

/** One entry of an alarm's history. */
export interface AlarmHistoryEntryDto {
  at: number;
  what: 'start' | 'latched' | 'reactivated' | 'acknowledged' | 'audio-paused' | 'audio-resumed' | 'escalated' | 'alarm-off' | 'end';
  by?: string;
  detail?: string;
}
export interface AlarmRecordDto {
  alarm: AlarmDto;
  history: AlarmHistoryEntryDto[];
}
/** A bed's alarms with their histories (src/alarms/engine/engine-events.ts BedAlarmSnapshot). */
export interface BedAlarmsDto {
  bedId: string;
  profileId: string;
  at: number;
  audioPausedUntil: number | null;
  alarmsOff: Array<{ ruleId: string; since: number; by: string }>;
  /** Active and latched alarms, highest priority then newest first. */
  active: AlarmRecordDto[];
  /** The last ended alarms, newest first. */
  recent: AlarmRecordDto[];
}
export interface BedAlarmsResponse {
  alarms: BedAlarmsDto;
}

/** A rule of an alarm profile as configured (docs/alarms.md "Rule kinds"); fields depend on `kind`. */
export interface AlarmRuleDto {
  id: string;
  kind: 'limit' | 'sustained' | 'rate-of-change' | 'combination' | 'stale' | 'technical' | 'pump';
  allowOff: boolean;
  priority?: AlarmPriorityDto;
  metric?: string;
  metrics?: string[];
  low?: number | null;
  high?: number | null;
  hysteresis?: number;
  delayMs?: number;
  code?: string;
  codeStem?: string;
  durationMs?: number;
  afterMs?: number;
  [field: string]: unknown;
}
export interface AlarmProfileDto {
  id: string;
  label: string;
  description?: string;
  lifecycle: {
    audioPauseMs: number;
    audioPauseMaxMs: number;
    alarmOffReminderMs: number;
    latching: Record<AlarmPriorityDto, boolean>;
    escalation: Record<AlarmPriorityDto, Array<{ tier: string; afterMs: number }>>;
  };
  rules: AlarmRuleDto[];
}
export interface BedProfileResponse {
  profile: {
    /** The bed's running profile, with runtime limit changes. */
    current: AlarmProfileDto;
    /** Profiles the bed may switch to. */
    available: Array<{ id: string; label: string }>;
    /** The profile the bed's configuration gives it (a restart brings it back). */
    configuredId: string;
    /** Rules changed at the station: they differ from the profile of the same id as loaded. */
    changedRules: string[];
  };
}
