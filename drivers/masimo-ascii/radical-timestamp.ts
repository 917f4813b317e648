/**
 * The 17-character line timestamp of Masimo "ASCII 1" output, `MM/dd/yy HH:mm:ss`
 * (device-protocols.md, Masimo section). The device sends no time zone: the driver's
 * `deviceTimeZone` option says how to read it. Two-digit years are 2000-2099.
 */

/** A calendar date and time as the device printed it. */
export interface RadicalTimestamp {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  /** 1-31 */
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** How the device clock is set: to the gateway's local time, or to UTC. */
export type DeviceTimeZone = 'local' | 'utc';

/** Length of `MM/dd/yy HH:mm:ss`. */
export const TIMESTAMP_LENGTH = 17;

const TIMESTAMP_SHAPE = /(\d\d)\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)(?= |$)/g;

/** Where a timestamp-shaped text was found in a line, and its value when it is a real date. */
export interface TimestampHit {
  /** Index of its first character in the line. */
  readonly start: number;
  /** Index just after it. */
  readonly end: number;
  /** Null when the shape is right but the date or time is impossible (month 13, 31 April...). */
  readonly timestamp: RadicalTimestamp | null;
}

/**
 * Finds the last `MM/dd/yy HH:mm:ss` in a line that is followed by a space or the line end.
 * The last one, because a line whose end was lost on the wire runs into the next line,
 * and the later record is the complete one. Returns null when there is none.
 */
export function findLastTimestamp(line: string): TimestampHit | null {
  const pattern = new RegExp(TIMESTAMP_SHAPE.source, 'g');
  let last: RegExpExecArray | null = null;
  for (let m = pattern.exec(line); m !== null; m = pattern.exec(line)) last = m;
  if (last === null) return null;
  return { start: last.index, end: last.index + TIMESTAMP_LENGTH, timestamp: timestampFromMatch(last) };
}

function timestampFromMatch(match: RegExpExecArray): RadicalTimestamp | null {
  const [month, day, yy, hour, minute, second] = match.slice(1, 7).map(Number);
  if (month === undefined || day === undefined || yy === undefined) return null;
  if (hour === undefined || minute === undefined || second === undefined) return null;
  const year = 2000 + yy;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  return { year, month, day, hour, minute, second };
}

/** The timestamp as epoch milliseconds, read in the given zone. */
export function timestampToEpochMs(ts: RadicalTimestamp, zone: DeviceTimeZone): number {
  return zone === 'utc'
    ? Date.UTC(ts.year, ts.month - 1, ts.day, ts.hour, ts.minute, ts.second)
    : new Date(ts.year, ts.month - 1, ts.day, ts.hour, ts.minute, ts.second).getTime();
}
