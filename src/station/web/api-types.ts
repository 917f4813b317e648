/**
 * The nurse-station HTTP JSON API under /api (pump control, login, audit): request and
 * response bodies, shared by the server (src/station/station-api.ts, whose zod schemas
 * check them) and the browser client. Type-only imports, no DOM or Node APIs: compiled
 * for both. Human documentation: docs/station-api.md.
 */
import type { DoseUnitDto, LimitCheckDto, OrderUserDto, OrderViewDto, PumpViewDto } from './protocol-types.js';

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
    /** ORDER_REFUSED: the stable reason code, e.g. `HARD_LIMIT`, `OVERRIDE_REASON_REQUIRED`. */
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
