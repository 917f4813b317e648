import { VigilError } from '../../src/core/errors.js';
import { crc16Xmodem } from '../shared/crc16.js';

/**
 * New Era NE-1000 safe-mode framing (device-protocols.md, "New Era NE-1000 family", safe mode;
 * docs/protocols/ne1000.md): `STX, LEN, DATA..., CRC_HI, CRC_LO, ETX`. LEN counts the bytes
 * after STX through ETX, LEN itself included (LEN = DATA length + 4). The CRC is CRC-16/XMODEM
 * over DATA only, high byte first. A partial packet is discarded after a 0.5 s pause between
 * two of its bytes (the pump does the same).
 *
 * Pure apart from reading the injected `now()`: no sockets, no timers, no logging. Never throws
 * on device bytes.
 */

export const STX = 0x02;
export const ETX = 0x03;

/** The pump's inter-byte timeout: a pause this long inside a packet discards it. */
export const INTER_BYTE_TIMEOUT_MS = 500;

/** Longest DATA accepted (NE-1000 replies are under 20 bytes; LEN is one byte). */
export const MAX_DATA_BYTES = 60;

/** LEN of a packet with `dataBytes` bytes of DATA. */
export function lengthByte(dataBytes: number): number {
  return dataBytes + 4;
}

/** True when `data` may be framed: 1..MAX_DATA_BYTES printable ASCII characters. */
export function isValidData(data: string): boolean {
  if (data.length === 0 || data.length > MAX_DATA_BYTES) return false;
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/**
 * Encodes one safe-mode packet around `data` (e.g. `0RAT`).
 * Throws VigilError FRAME_INVALID for empty, over-long or non-printable data (a programming
 * error on our side, never caused by device bytes).
 */
export function encodeSafeFrame(data: string): Buffer {
  if (!isValidData(data)) {
    throw new VigilError('FRAME_INVALID', `NE-1000 packet data must be 1-${MAX_DATA_BYTES} printable ASCII characters`, {
      data,
    });
  }
  const body = Buffer.from(data, 'latin1');
  const crc = crc16Xmodem(body);
  return Buffer.from([STX, lengthByte(body.length), ...body, crc >> 8, crc & 0xff, ETX]);
}

/** Why bytes were discarded. */
export type SafeFrameRejectReason =
  /** Bytes outside any packet (before an STX). */
  | 'noise'
  /** LEN below 5 (no DATA) or above MAX_DATA_BYTES + 4. */
  | 'bad-length'
  /** The byte LEN announces as ETX is not ETX. */
  | 'missing-etx'
  /** CRC bytes do not match DATA. */
  | 'crc-mismatch'
  /** DATA holds bytes outside printable ASCII. */
  | 'bad-data'
  /** A pause of INTER_BYTE_TIMEOUT_MS or more inside a packet: the partial packet is dropped. */
  | 'inter-byte-timeout';

export const SAFE_FRAME_REJECT_REASONS: readonly SafeFrameRejectReason[] = [
  'noise', 'bad-length', 'missing-etx', 'crc-mismatch', 'bad-data', 'inter-byte-timeout',
];

export interface SafeFrameRejection {
  readonly reason: SafeFrameRejectReason;
  readonly detail: string;
  /** The discarded bytes, for a hex dump. */
  readonly bytes: Buffer;
}

export type SafeDeframerOutput =
  | { readonly kind: 'frame'; readonly data: string }
  | { readonly kind: 'rejected'; readonly rejection: SafeFrameRejection };

export interface SafeDeframerCounters {
  readonly frames: number;
  readonly rejected: number;
  readonly byReason: Readonly<Record<SafeFrameRejectReason, number>>;
}

export interface SafeDeframerOptions {
  /** Monotonic milliseconds (default performance.now()); drives the inter-byte timeout. */
  readonly now?: () => number;
  /** Default INTER_BYTE_TIMEOUT_MS. */
  readonly interByteTimeoutMs?: number;
}

/** Noise is reported in runs of at most this many bytes. */
const MAX_NOISE_RUN = 256;

/**
 * Incremental safe-mode deframer: feed it chunks as they arrive (any split). It resynchronises
 * on STX: after a bad length or a missing ETX it rescans from the byte after that STX, so a
 * stray STX in noise cannot hide the real packet behind it; a complete packet with a bad CRC
 * is dropped whole.
 */
export class SafeDeframer {
  private readonly now: () => number;
  private readonly interByteTimeoutMs: number;
  private buffer: number[] = [];
  private lastByteAt = 0;
  private framesSeen = 0;
  private readonly reasons = Object.fromEntries(SAFE_FRAME_REJECT_REASONS.map((r) => [r, 0])) as Record<
    SafeFrameRejectReason,
    number
  >;

  constructor(options: SafeDeframerOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.interByteTimeoutMs = options.interByteTimeoutMs ?? INTER_BYTE_TIMEOUT_MS;
  }

  get counters(): SafeDeframerCounters {
    const rejected = SAFE_FRAME_REJECT_REASONS.reduce((sum, r) => sum + this.reasons[r], 0);
    return { frames: this.framesSeen, rejected, byReason: { ...this.reasons } };
  }

  /** True while part of a packet waits for more bytes. */
  get pending(): boolean {
    return this.buffer.length > 0;
  }

  /** Forgets any partial packet (e.g. the link was re-opened). Counters are kept. */
  reset(): void {
    this.buffer = [];
  }

  /**
   * Drops a partial packet whose last byte is INTER_BYTE_TIMEOUT_MS old or older; returns the
   * rejection (or nothing). The driver calls it from a timer so a stalled packet is counted
   * even when no further byte arrives.
   */
  expire(): SafeDeframerOutput[] {
    const out: SafeDeframerOutput[] = [];
    if (this.buffer.length > 0 && this.now() - this.lastByteAt >= this.interByteTimeoutMs) {
      this.reject(out, 'inter-byte-timeout', `no byte for ${this.interByteTimeoutMs} ms inside a packet`, this.buffer);
      this.buffer = [];
    }
    return out;
  }

  /** Consumes a chunk; returns the packets and rejections it completed, in order. */
  push(chunk: Uint8Array): SafeDeframerOutput[] {
    const out = this.expire();
    if (chunk.length === 0) return out;
    for (const byte of chunk) this.buffer.push(byte);
    this.lastByteAt = this.now();
    this.scan(out);
    return out;
  }

  private scan(out: SafeDeframerOutput[]): void {
    for (;;) {
      const start = this.buffer.indexOf(STX);
      if (start < 0) {
        if (this.buffer.length > 0) this.reject(out, 'noise', `${this.buffer.length} bytes outside a packet`, this.buffer);
        this.buffer = [];
        return;
      }
      if (start > 0) {
        this.reject(out, 'noise', `${start} bytes outside a packet`, this.buffer.slice(0, start));
        this.buffer = this.buffer.slice(start);
      }
      if (this.buffer.length < 2) return;
      const len = this.buffer[1] as number;
      if (len < lengthByte(1) || len > lengthByte(MAX_DATA_BYTES)) {
        this.skipStart(out, 'bad-length', `LEN ${len} outside ${lengthByte(1)}-${lengthByte(MAX_DATA_BYTES)}`);
        continue;
      }
      const total = len + 1;
      if (this.buffer.length < total) return;
      const packet = this.buffer.slice(0, total);
      if (packet[total - 1] !== ETX) {
        this.skipStart(out, 'missing-etx', `byte ${total - 1} is 0x${(packet[total - 1] as number).toString(16)}, not ETX`);
        continue;
      }
      this.buffer = this.buffer.slice(total);
      this.finish(out, packet);
    }
  }

  /** The STX at the head did not start a packet: drop it and the bytes up to the next STX. */
  private skipStart(out: SafeDeframerOutput[], reason: SafeFrameRejectReason, detail: string): void {
    const next = this.buffer.indexOf(STX, 1);
    const cut = next < 0 ? this.buffer.length : next;
    this.reject(out, reason, detail, this.buffer.slice(0, cut));
    this.buffer = this.buffer.slice(cut);
  }

  private finish(out: SafeDeframerOutput[], packet: number[]): void {
    const data = Uint8Array.from(packet.slice(2, packet.length - 3));
    const received = ((packet[packet.length - 3] as number) << 8) | (packet[packet.length - 2] as number);
    const computed = crc16Xmodem(data);
    if (received !== computed) {
      this.reject(out, 'crc-mismatch', `CRC 0x${hex4(received)}, computed 0x${hex4(computed)}`, packet);
      return;
    }
    const text = Buffer.from(data).toString('latin1');
    if (!isValidData(text)) {
      this.reject(out, 'bad-data', 'DATA is not printable ASCII', packet);
      return;
    }
    this.framesSeen++;
    out.push({ kind: 'frame', data: text });
  }

  private reject(out: SafeDeframerOutput[], reason: SafeFrameRejectReason, detail: string, bytes: number[]): void {
    this.reasons[reason]++;
    out.push({ kind: 'rejected', rejection: { reason, detail, bytes: Buffer.from(bytes.slice(0, MAX_NOISE_RUN)) } });
  }
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}
