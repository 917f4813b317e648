import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LoggerSettings {
  level: LogLevel;
  /** Human-readable output (pino-pretty) instead of JSON lines. */
  pretty?: boolean;
}

/**
 * The root logger. Every component takes a child: `logger.child({ component: 'driver', device })`.
 * Wire logs (bytes in and out, with hex) are written at debug level by transports and drivers.
 */
export function createLogger(settings: LoggerSettings, destination?: NodeJS.WritableStream): Logger {
  const options: LoggerOptions = { level: settings.level, base: { app: 'vigil' } };
  if (settings.pretty && !destination) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that writes nothing, for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * A hex dump computed only if the log line is written: pino serialises it (toJSON) after
 * its level check, so a wire log at debug costs nothing on the hot path at info level.
 */
export function lazyHex(bytes: Uint8Array, max = 256): { toJSON(): string } {
  return { toJSON: () => hexDump(bytes, max) };
}

/** Hex dump of a buffer for wire logs, capped so one bad line cannot flood the log. */
export function hexDump(bytes: Uint8Array, max = 256): string {
  const shown = Buffer.from(bytes.subarray(0, max)).toString('hex').replace(/(..)(?!$)/g, '$1 ');
  return bytes.length > max ? `${shown} ... (+${bytes.length - max} bytes)` : shown;
}
