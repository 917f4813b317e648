/**
 * Nonin pulse oximeter driver, serial data formats #2 and #7 (docs/protocols/nonin.md):
 * the driver definition and its pure building blocks for tools and tests.
 */
export { noninDriver, NoninDriver, STATUS_INTERVAL_MS, SET_FORMAT_REPLY_TIMEOUT_MS } from './nonin-driver.js';
export { noninOptionsSchema, type NoninOptions } from './nonin-options.js';
export {
  FRAME_BYTES, FRAMES_PER_SECOND, FORMAT2_START, NONIN_FORMATS, PACKET_FRAMES, STATUS,
  frameChecksum, isSyncFrame, parseFrame, perfusionQuality, plethRange,
  type NoninFormat, type NoninFrame, type PerfusionQuality,
} from './nonin-frame.js';
export { NoninFrameSync, DISCARD_REPORT_BYTES, discardedFrameSlots, type SyncEvent } from './frame-sync.js';
export { NoninPacketAssembler, type NoninPacket, type PacketAnomaly } from './packet-assembler.js';
export {
  DATA_FRAMES, MAX_HEART_RATE_PER_MIN, MISSING_HEART_RATE, MISSING_SPO2,
  decodePacketNumerics, heartRateFromBytes, type DecodedPacket, type NoninNumerics, type RejectedValue,
} from './packet-decoder.js';
export { CONDITION_HOLD_FRAMES, NONIN_CONDITIONS, StatusConditionTracker, type NoninCondition } from './status-conditions.js';
export { NumericPublisher, REPEAT_AFTER_MS, NUMERIC_METRICS } from './numeric-publisher.js';
export { ACK, NAK, ETX, STX, SET_DATA_FORMAT_OPCODE, encodeSetFormatCommand } from './nonin-commands.js';
