/**
 * Masimo "ASCII 1" driver (docs/protocols/masimo-ascii.md): the driver definition and
 * its pure building blocks (framer, line parser, bit decoder) for tools and simulators.
 */
export { masimoAsciiDriver, MasimoAsciiDriver, STATUS_INTERVAL_MS } from './masimo-driver.js';
export { masimoAsciiOptionsSchema, type MasimoAsciiOptions } from './masimo-options.js';
export { LineFramer, DEFAULT_MAX_LINE_BYTES, type LineFramerOptions, type OverLongLine } from './line-framer.js';
export {
  parseRadicalLine,
  type RadicalParseResult,
  type RadicalRecord,
  type RadicalRejectCode,
  type UnknownField,
} from './radical-line-parser.js';
export {
  ALARM_BITS,
  EXC_BITS,
  UNEXPLAINED_DEVICE_ALARM,
  alarmSystemState,
  decodeAlarmBits,
  decodeExceptionBits,
  type DeviceAlarmSystemState,
  type RadicalCondition,
} from './radical-conditions.js';
export { ConditionTracker } from './condition-tracker.js';
export { observationsFromRecord, FIELD_METRICS } from './radical-observations.js';
export { timestampToEpochMs, findLastTimestamp, type RadicalTimestamp, type DeviceTimeZone } from './radical-timestamp.js';
