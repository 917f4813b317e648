import { VigilError } from '../../src/core/errors.js';
import { crc16CcittFalse, crc16Hex } from '../shared/crc16.js';

/**
 * Asena GH framing (device-protocols.md, "Alaris (CareFusion) Asena GH"):
 * `!` + BODY + `|` + CRC + CR, CRC = 4 upper-case hex digits of CRC-16/CCITT-FALSE over
 * BODY only. BODY is `COMMAND` or `COMMAND^field^field...`.
 *
 * This file is pure: no sockets, no timers, no logging. The deframer never throws.
 */

const START = 0x21; // '!'
const SEPARATOR = 0x7c; // '|'
const CR = 0x0d;
const LF = 0x0a;

/** Longest frame accepted by default, counted from `!` up to (not including) CR. */
export const DEFAULT_MAX_FRAME_BYTES = 256;

/** True when `body` may be framed: printable ASCII (0x20-0x7E), not empty, without `!` or `|`. */
export function isValidBody(body: string): boolean {
  if (body.length === 0) return false;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === START || c === SEPARATOR) return false;
  }
  return true;
}

/**
 * Encodes one frame `!BODY|CRC\r`.
 * Throws VigilError FRAME_INVALID when `body` is not printable ASCII or holds `!` or `|`
 * (a programming error on our side, never caused by device bytes).
 */
export function encodeFrame(body: string): Buffer {
  if (!isValidBody(body)) {
    throw new VigilError('FRAME_INVALID', 'Asena frame body must be non-empty printable ASCII without "!" or "|"', {
      body,
    });
  }
  return Buffer.from(`!${body}|${crc16Hex(crc16CcittFalse(body))}\r`, 'latin1');
}

/** Why a run of bytes was discarded. */
export type FrameRejectReason =
  /** Bytes outside any frame (before a `!`). */
  | 'noise'
  /** A new `!` arrived before the CR of the frame in progress. */
  | 'truncated'
  /** No CR within maxFrameBytes: the frame is dropped and the deframer skips to the next `!`. */
  | 'too-long'
  /** CR arrived but the frame has no `|`. */
  | 'missing-separator'
  /** The CRC field is not exactly 4 upper-case hex digits. */
  | 'bad-crc-format'
  /** The CRC field does not match the body. */
  | 'crc-mismatch'
  /** The body is empty or holds bytes outside printable ASCII. */
  | 'bad-body';

export const FRAME_REJECT_REASONS: readonly FrameRejectReason[] = [
  'noise',
  'truncated',
  'too-long',
  'missing-separator',
  'bad-crc-format',
  'crc-mismatch',
  'bad-body',
];

/** One discarded run of bytes, with the reason and the bytes for a hex dump. */
export interface FrameRejection {
  readonly reason: FrameRejectReason;
  readonly detail: string;
  /** The discarded bytes (capped at maxFrameBytes). */
  readonly bytes: Buffer;
}

/** What the deframer found in a chunk, in order. */
export type DeframerOutput =
  | { readonly kind: 'frame'; readonly body: string }
  | { readonly kind: 'rejected'; readonly rejection: FrameRejection };

export interface DeframerCounters {
  readonly frames: number;
  readonly rejected: number;
  readonly byReason: Readonly<Record<FrameRejectReason, number>>;
}

export interface DeframerOptions {
  /** Longest accepted frame from `!` up to CR (default 256). */
  readonly maxFrameBytes?: number;
}

type State = 'idle' | 'frame' | 'skip';

/**
 * Incremental Asena deframer: feed it chunks as they arrive (any split, one byte at a time);
 * it returns complete frames and rejections. It resynchronises on every `!`, ignores CR/LF
 * between frames, and never throws on any input.
 */
export class AsenaDeframer {
  private readonly maxFrameBytes: number;
  private state: State = 'idle';
  private buffer: number[] = [];
  private noise: number[] = [];
  private framesSeen = 0;
  private readonly reasons: Record<FrameRejectReason, number> = Object.fromEntries(
    FRAME_REJECT_REASONS.map((r) => [r, 0]),
  ) as Record<FrameRejectReason, number>;

  constructor(options: DeframerOptions = {}) {
    this.maxFrameBytes = Math.max(8, options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  }

  get counters(): DeframerCounters {
    const rejected = FRAME_REJECT_REASONS.reduce((sum, r) => sum + this.reasons[r], 0);
    return { frames: this.framesSeen, rejected, byReason: { ...this.reasons } };
  }

  /** Forgets any partial frame (e.g. after the link was re-opened). Counters are kept. */
  reset(): void {
    this.state = 'idle';
    this.buffer = [];
    this.noise = [];
  }

  /** Consumes a chunk; returns the frames and rejections it completed, in order. */
  push(chunk: Uint8Array): DeframerOutput[] {
    const out: DeframerOutput[] = [];
    for (const byte of chunk) this.consume(byte, out);
    return out;
  }

  private consume(byte: number, out: DeframerOutput[]): void {
    if (byte === START) {
      this.flushNoise(out);
      if (this.state === 'frame') {
        this.reject(out, 'truncated', 'new "!" before CR', this.buffer);
      }
      this.state = 'frame';
      this.buffer = [byte];
      return;
    }
    switch (this.state) {
      case 'idle':
        if (byte === CR || byte === LF) {
          this.flushNoise(out);
        } else {
          this.noise.push(byte);
          if (this.noise.length >= this.maxFrameBytes) this.flushNoise(out);
        }
        return;
      case 'skip':
        if (byte === CR) this.state = 'idle';
        return;
      case 'frame':
        if (byte === CR) {
          this.finishFrame(out);
          this.state = 'idle';
          this.buffer = [];
          return;
        }
        this.buffer.push(byte);
        if (this.buffer.length > this.maxFrameBytes) {
          this.reject(out, 'too-long', `no CR within ${this.maxFrameBytes} bytes`, this.buffer);
          this.buffer = [];
          this.state = 'skip';
        }
        return;
    }
  }

  private finishFrame(out: DeframerOutput[]): void {
    const raw = this.buffer;
    const content = raw.slice(1); // without '!'
    const sep = content.lastIndexOf(SEPARATOR);
    if (sep < 0) {
      this.reject(out, 'missing-separator', 'no "|" before CR', raw);
      return;
    }
    const crcText = String.fromCharCode(...content.slice(sep + 1));
    if (!/^[0-9A-F]{4}$/.test(crcText)) {
      this.reject(out, 'bad-crc-format', `CRC field ${JSON.stringify(crcText)} is not 4 upper-case hex digits`, raw);
      return;
    }
    const bodyBytes = Uint8Array.from(content.slice(0, sep));
    const body = Buffer.from(bodyBytes).toString('latin1');
    if (!isValidBody(body)) {
      this.reject(out, 'bad-body', 'body empty or not printable ASCII', raw);
      return;
    }
    const expected = crc16Hex(crc16CcittFalse(bodyBytes));
    if (expected !== crcText) {
      this.reject(out, 'crc-mismatch', `CRC ${crcText}, computed ${expected}`, raw);
      return;
    }
    this.framesSeen++;
    out.push({ kind: 'frame', body });
  }

  private flushNoise(out: DeframerOutput[]): void {
    if (this.noise.length === 0) return;
    this.reject(out, 'noise', `${this.noise.length} bytes outside a frame`, this.noise);
    this.noise = [];
  }

  private reject(out: DeframerOutput[], reason: FrameRejectReason, detail: string, bytes: number[]): void {
    this.reasons[reason]++;
    out.push({
      kind: 'rejected',
      rejection: { reason, detail, bytes: Buffer.from(bytes.slice(0, this.maxFrameBytes + 1)) },
    });
  }
}
