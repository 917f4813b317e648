import { FRAME_BYTES, parseFrame, type NoninFormat, type NoninFrame } from './nonin-frame.js';

/**
 * Incremental frame synchroniser for Nonin formats #2 and #7 (docs/protocols/nonin.md,
 * "Synchronisation"). Pure (no I/O, no timers), never throws, and gives the same events
 * however the byte stream is split into chunks.
 *
 * - Hunting: at each byte offset, three valid frames 5 bytes apart (start byte / STATUS
 *   bit 7 and checksum) acquire lock. Bytes skipped while hunting form a discarded run.
 * - Locked: frames are read at 5-byte boundaries. A frame that fails while the next
 *   boundary holds a valid frame is one garbled frame (`bad-frame`: its slot is kept, so
 *   the position in the packet is not lost). Two failures in a row lose lock: hunting
 *   starts again one byte further.
 * - A discarded run is reported when lock is regained, or every `DISCARD_REPORT_BYTES`
 *   bytes while hunting goes on (a device on the wrong format still shows up as garbage).
 */

/**
 * Consecutive valid frames that acquire lock. Noise fakes one frame about once in 512
 * offsets (STATUS bit 7 and a checksum); with two, random bytes just before a packet
 * sometimes faked a lock that swallowed the packet's first frame (fast-check found it).
 */
export const LOCK_FRAMES = 3;

/** A discarded run is reported at the latest when it reaches this many bytes (one packet). */
export const DISCARD_REPORT_BYTES = 125;
/** Bytes of a discarded run kept for the debug hex dump. */
export const DISCARD_HEAD_BYTES = 64;

/** What the synchroniser found in the byte stream, in stream order. */
export type SyncEvent =
  | { readonly kind: 'frame'; readonly frame: NoninFrame }
  /** Five bytes at a frame boundary were not a valid frame; the next boundary was: one slot lost. */
  | { readonly kind: 'bad-frame'; readonly bytes: Buffer }
  /** Bytes skipped while hunting for lock; the position in the packet is unknown afterwards. */
  | {
      readonly kind: 'discarded';
      readonly byteCount: number;
      /** The first bytes of the run, for a hex dump. */
      readonly head: Buffer;
      /** Frames these bytes stand for (an estimate: max(1, round(byteCount / 5))). */
      readonly frameSlots: number;
    };

/** Frames a discarded run of `byteCount` bytes is counted as. */
export function discardedFrameSlots(byteCount: number): number {
  return Math.max(1, Math.round(byteCount / FRAME_BYTES));
}

export class NoninFrameSync {
  private pending: Buffer = Buffer.alloc(0);
  private locked = false;
  private discardCount = 0;
  private discardHead: number[] = [];

  constructor(private readonly format: NoninFormat) {}

  /** True while frames are read at known boundaries. */
  get isLocked(): boolean {
    return this.locked;
  }

  /** Feeds bytes; returns the events they complete, in stream order. */
  push(chunk: Uint8Array): SyncEvent[] {
    const events: SyncEvent[] = [];
    const bytes = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    let at = 0;
    for (;;) {
      const step = this.locked ? this.readLocked(bytes, at, events) : this.hunt(bytes, at, events);
      if (step === 0) break;
      at += step;
    }
    this.pending = Buffer.from(bytes.subarray(at));
    return events;
  }

  /** Forgets partial input and lock (the link dropped); an open discarded run is dropped silently. */
  reset(): void {
    this.pending = Buffer.alloc(0);
    this.locked = false;
    this.discardCount = 0;
    this.discardHead = [];
  }

  /** Locked: one frame at `at`. Returns bytes consumed, 0 when more bytes are needed. */
  private readLocked(bytes: Buffer, at: number, events: SyncEvent[]): number {
    if (bytes.length - at < FRAME_BYTES) return 0;
    const frame = parseFrame(bytes, at, this.format);
    if (frame !== null) {
      events.push({ kind: 'frame', frame });
      return FRAME_BYTES;
    }
    if (bytes.length - at < 2 * FRAME_BYTES) return 0;
    if (parseFrame(bytes, at + FRAME_BYTES, this.format) !== null) {
      events.push({ kind: 'bad-frame', bytes: Buffer.from(bytes.subarray(at, at + FRAME_BYTES)) });
      return FRAME_BYTES;
    }
    this.locked = false;
    return this.discard(bytes[at] as number, events);
  }

  /** Hunting: tries offset `at`. Returns bytes consumed, 0 when more bytes are needed. */
  private hunt(bytes: Buffer, at: number, events: SyncEvent[]): number {
    const available = bytes.length - at;
    if (available < FRAME_BYTES) return 0;
    if (parseFrame(bytes, at, this.format) !== null) {
      if (available < LOCK_FRAMES * FRAME_BYTES) return 0;
      let valid = 1;
      while (valid < LOCK_FRAMES && parseFrame(bytes, at + valid * FRAME_BYTES, this.format) !== null) valid += 1;
      if (valid === LOCK_FRAMES) {
        this.locked = true;
        this.reportDiscarded(events);
        // Lock acquired: the frame at `at` is read by readLocked on the next step.
        return this.readLocked(bytes, at, events);
      }
    }
    return this.discard(bytes[at] as number, events);
  }

  private discard(byte: number, events: SyncEvent[]): number {
    this.discardCount += 1;
    if (this.discardHead.length < DISCARD_HEAD_BYTES) this.discardHead.push(byte);
    if (this.discardCount >= DISCARD_REPORT_BYTES) this.reportDiscarded(events);
    return 1;
  }

  private reportDiscarded(events: SyncEvent[]): void {
    if (this.discardCount === 0) return;
    const byteCount = this.discardCount;
    events.push({ kind: 'discarded', byteCount, head: Buffer.from(this.discardHead), frameSlots: discardedFrameSlots(byteCount) });
    this.discardCount = 0;
    this.discardHead = [];
  }
}
