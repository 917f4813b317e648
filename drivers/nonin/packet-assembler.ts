import { PACKET_FRAMES, isSyncFrame, type NoninFrame } from './nonin-frame.js';
import type { SyncEvent } from './frame-sync.js';

/**
 * Groups the synchroniser's frames into 25-frame packets (docs/protocols/nonin.md,
 * "Packets"). A frame's number in its packet is known only when every slot since the
 * packet's sync frame (STATUS bit 0) was seen, a garbled frame included: only such
 * packets are `aligned`, and only their DATA bytes are decoded. Frames whose position is
 * unknown (after a resync, before the next sync frame) still give pleth samples.
 * Pure, never throws.
 */

/** A run of consecutive frame slots: a whole packet, or part of one. */
export interface NoninPacket {
  /** Sample counter of the first slot since the assembler started; slots lost in discarded bytes are counted. */
  readonly firstSampleIndex: number;
  /** One entry per slot: the frame, or null for a slot whose frame was garbled. */
  readonly frames: readonly (NoninFrame | null)[];
  /** True when frames[0] is frame 1 of its packet, so frames[i] is frame i + 1. */
  readonly aligned: boolean;
  /** Aligned and all 25 slots present (some may still be null). */
  readonly complete: boolean;
}

/** Something in the packet structure that did not fit, for the debug log. */
export interface PacketAnomaly {
  readonly reason: 'sync-frame-early' | 'sync-frame-missing';
  /** The frame number the assembler expected. */
  readonly expectedFrame: number;
}

export class NoninPacketAssembler {
  private frames: (NoninFrame | null)[] = [];
  private firstIndex = 0;
  private aligned = false;
  /** Number the next slot will have, or null when the position in the packet is unknown. */
  private next: number | null = null;
  private nextSampleIndex = 0;

  constructor(private readonly onAnomaly: (anomaly: PacketAnomaly) => void = () => undefined) {}

  /** Sample index the next slot will get. */
  get sampleIndex(): number {
    return this.nextSampleIndex;
  }

  /** Takes one synchroniser event; returns the packets it completes or breaks off. */
  push(event: SyncEvent): NoninPacket[] {
    const out: NoninPacket[] = [];
    switch (event.kind) {
      case 'frame':
        this.onFrame(event.frame, out);
        break;
      case 'bad-frame':
        if (this.frames.length === 0) this.begin(this.next === 1);
        this.append(null, out);
        break;
      case 'discarded':
        this.emit(out);
        this.next = null;
        this.nextSampleIndex += event.frameSlots;
        break;
    }
    return out;
  }

  /** Ends the current partial packet (link dropped, device silent); the next frame starts afresh. */
  flush(): NoninPacket[] {
    const out: NoninPacket[] = [];
    this.emit(out);
    this.next = null;
    return out;
  }

  private onFrame(frame: NoninFrame, out: NoninPacket[]): void {
    if (isSyncFrame(frame)) {
      if (this.next !== null && this.next !== 1) this.onAnomaly({ reason: 'sync-frame-early', expectedFrame: this.next });
      this.emit(out);
      this.begin(true);
    } else if (this.next === 1) {
      this.onAnomaly({ reason: 'sync-frame-missing', expectedFrame: 1 });
      this.emit(out);
      this.next = null;
      this.begin(false);
    } else if (this.frames.length === 0) {
      this.begin(false);
    }
    this.append(frame, out);
  }

  private begin(aligned: boolean): void {
    this.aligned = aligned;
    this.firstIndex = this.nextSampleIndex;
    this.next = aligned ? 1 : null;
  }

  private append(frame: NoninFrame | null, out: NoninPacket[]): void {
    this.frames.push(frame);
    this.nextSampleIndex += 1;
    if (this.next !== null) this.next += 1;
    if (this.frames.length === PACKET_FRAMES) {
      this.emit(out);
      // After a whole aligned packet, the next slot is frame 1 of the next packet.
      this.next = this.next === null ? null : 1;
    }
  }

  private emit(out: NoninPacket[]): void {
    if (this.frames.length === 0) return;
    const complete = this.aligned && this.frames.length === PACKET_FRAMES;
    out.push({ firstSampleIndex: this.firstIndex, frames: this.frames, aligned: this.aligned, complete });
    this.frames = [];
    this.aligned = false;
  }
}
