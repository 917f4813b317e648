/**
 * The one error class of Vigil. Callers branch on `code`, never on message text.
 * `context` carries the values that explain the error (file, path, value, limit...).
 */
export type VigilErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_UNREADABLE'
  | 'CONFIG_INVALID'
  | 'TRANSPORT_URL_INVALID'
  | 'TRANSPORT_NOT_OPEN'
  | 'TRANSPORT_WRITE_FAILED'
  | 'DRIVER_UNKNOWN'
  | 'FRAME_INVALID'
  | 'SIMULATOR_UNKNOWN'
  | 'SIMULATOR_EVENT_INVALID'
  | 'SIMULATOR_EVENT_REFUSED'
  | 'SIMULATOR_LISTEN_FAILED'
  | 'REQUEST_INVALID'
  | 'STATION_LISTEN_FAILED'
  | 'STORE_OPEN_FAILED'
  | 'STORE_NOT_FOUND'
  | 'STORE_NOT_VIGIL'
  | 'STORE_SCHEMA_TOO_NEW'
  | 'STORE_MIGRATION_FAILED'
  | 'AUDIT_ENTRY_INVALID'
  | 'AUDIT_WRITE_FAILED'
  | 'USER_INVALID'
  | 'USER_EXISTS'
  | 'USER_NOT_FOUND'
  | 'AUTH_FAILED'
  | 'SESSION_INVALID'
  | 'SESSION_EXPIRED'
  | 'COMMAND_TIMEOUT'
  | 'COMMAND_ABORTED'
  | 'PUMP_VALUE_INVALID'
  | 'MODBUS_EXCEPTION'
  | 'ORDER_REFUSED'
  | 'ORDER_NOT_FOUND'
  | 'INTERNAL';

export class VigilError extends Error {
  override readonly name = 'VigilError';
  constructor(
    readonly code: VigilErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `err` is a VigilError, optionally with the given code. */
export function isVigilError(err: unknown, code?: VigilErrorCode): err is VigilError {
  return err instanceof VigilError && (code === undefined || err.code === code);
}

/** A readable one-line description of any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
