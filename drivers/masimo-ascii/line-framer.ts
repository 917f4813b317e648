/**
 * Line framing for the Masimo "ASCII 1" serial output (docs/protocols/masimo-ascii.md, "Framing").
 *
 * The device ends each line with CR LF; some cables, terminal servers and older firmware
 * deliver CR-only, LF-only or even LF CR. @serialport/parser-readline splits on one fixed
 * delimiter, so it cannot accept all of these, and it has no cap on line length. This
 * framer is pure (no I/O, no timers), incremental, and never throws:
 * - any of CR, LF, CR LF, LF CR ends a line; empty lines are dropped silently;
 * - bytes are passed through 1:1 as latin1 text, so noise and non-ASCII bytes reach the
 *   parser intact (it rejects them) and can be hex-dumped losslessly;
 * - a line longer than `maxLineBytes` is discarded: it is counted and reported once, then
 *   the framer resynchronises at the next line end.
 */

const CR = 0x0d;
const LF = 0x0a;

/** Default cap: a full Radical-7 line is about 150 bytes. */
export const DEFAULT_MAX_LINE_BYTES = 512;

/** What the framer tells about a line it discarded for being too long. */
export interface OverLongLine {
  /** Bytes seen when the cap was exceeded (the rest of the line is skipped unseen). */
  readonly lengthBytes: number;
  /** The first bytes of the discarded line, for a debug hex dump. */
  readonly head: Buffer;
}

export interface LineFramerOptions {
  /** Longest accepted line, in bytes, without its line end. Default 512. */
  readonly maxLineBytes?: number;
  /** Called once for each over-long line, as soon as it exceeds the cap. */
  readonly onOverLong?: (line: OverLongLine) => void;
}

/** Incremental splitter of a byte stream into text lines. */
export class LineFramer {
  private readonly maxLineBytes: number;
  private readonly onOverLong: ((line: OverLongLine) => void) | undefined;
  private readonly buffer: Buffer;
  private length = 0;
  private discarding = false;
  /** The previous byte was a line end; a different line-end byte right after it is its pair. */
  private lastEnd: number | null = null;
  private overLong = 0;

  constructor(options: LineFramerOptions = {}) {
    this.maxLineBytes = Math.max(1, Math.floor(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES));
    this.onOverLong = options.onOverLong;
    this.buffer = Buffer.alloc(this.maxLineBytes);
  }

  /** Over-long lines discarded since construction. */
  get overLongLines(): number {
    return this.overLong;
  }

  /** Feeds bytes; returns the complete lines they finish (without line ends), in order. */
  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    for (const byte of chunk) {
      if (byte === CR || byte === LF) {
        // CR LF and LF CR are one line end; CR CR and LF LF end an empty line (dropped).
        if (this.lastEnd !== null && this.lastEnd !== byte) {
          this.lastEnd = null;
          continue;
        }
        this.lastEnd = byte;
        this.endLine(lines);
        continue;
      }
      this.lastEnd = null;
      if (this.discarding) continue;
      if (this.length === this.maxLineBytes) {
        this.overLong += 1;
        this.discarding = true;
        this.onOverLong?.({ lengthBytes: this.length + 1, head: Buffer.from(this.buffer.subarray(0, 64)) });
        this.length = 0;
        continue;
      }
      this.buffer[this.length] = byte;
      this.length += 1;
    }
    return lines;
  }

  /** Forgets a partial line, e.g. after the link dropped: bytes after a reconnect start afresh. */
  reset(): void {
    this.length = 0;
    this.discarding = false;
    this.lastEnd = null;
  }

  private endLine(lines: string[]): void {
    if (!this.discarding && this.length > 0) {
      lines.push(this.buffer.toString('latin1', 0, this.length));
    }
    this.length = 0;
    this.discarding = false;
  }
}
