import type { Logger } from '../../src/core/logger.js';
import { hexDump } from '../../src/core/logger.js';
import { crc16CcittFalse, crc16Hex } from '../../drivers/shared/crc16.js';
import { AsenaDeframer, encodeFrame } from '../../drivers/alaris-asena/frame-codec.js';
import type { AsenaPumpModel, SimPumpFault } from './pump-model.js';
import { errorReplyBody, infReplyBody, serialReplyBody, vtbiReplyBody } from './wire-format.js';

/**
 * The Asena GH byte protocol of the simulated pump: `handleBytes(chunk)` returns the reply
 * bytes, one frame per command (docs/protocols/asena-gh.md). Answers INF, INF_VTBI and
 * INST_SERIALNO; set commands only after `REMOTE_CTRL^ENABLED^<code>` with the right code.
 * Frames with a bad CRC are ignored (no reply). Protocol faults: silence, corrupt replies,
 * and "accepts the rate but runs another one".
 */

/** Faults at the protocol level; physical ones go to the pump model. */
export type SimProtocolFault = 'silence' | 'corrupt-replies' | 'wrong-rate';
export type AsenaSimFault = SimPumpFault | SimProtocolFault;

/** What the simulator received, by kind. Everything but the three queries counts as a write. */
export type SimCommandKind =
  | 'INF' | 'INF_VTBI' | 'INST_SERIALNO' | 'REMOTE_CTRL_ENABLE' | 'REMOTE_CTRL_DISABLE' | 'INF_RATE'
  | 'INF_VTBI_SET' | 'INF_VTBI_DEACT' | 'INF_START' | 'INF_STOP' | 'OTHER';

const READ_KINDS: readonly SimCommandKind[] = ['INF', 'INF_VTBI', 'INST_SERIALNO'];
const PROTOCOL_FAULTS: readonly string[] = ['silence', 'corrupt-replies', 'wrong-rate'];
const DECIMAL = /^\d{1,5}(\.\d{1,3})?$/;

export interface AsenaProtocolHandlerOptions {
  /** Rate actually run under the `wrong-rate` fault = commanded x this (default 1.1). */
  readonly wrongRateFactor?: number;
  readonly logger?: Logger;
}

export class AsenaProtocolHandler {
  private readonly deframer = new AsenaDeframer();
  private readonly faults = new Set<SimProtocolFault>();
  private readonly counts = new Map<SimCommandKind, number>();
  private remoteEnabled = false;
  private wrongRateFactor: number;

  constructor(
    readonly pump: AsenaPumpModel,
    private readonly options: AsenaProtocolHandlerOptions = {},
  ) {
    this.wrongRateFactor = options.wrongRateFactor ?? 1.1;
  }

  get remoteControlEnabled(): boolean {
    return this.remoteEnabled;
  }

  /** Under `wrong-rate`, an accepted rate is run x `factor` (finite, > 0). */
  setWrongRateFactor(factor: number): void {
    if (factor > 0 && Number.isFinite(factor)) this.wrongRateFactor = factor;
  }

  /** The protocol faults now active. */
  activeFaults(): SimProtocolFault[] {
    return [...this.faults];
  }

  /** Injects a fault: physical ones (occlusion, air-in-line, door-open, low-battery) go to the pump. */
  inject(fault: AsenaSimFault): void {
    if (PROTOCOL_FAULTS.includes(fault)) this.faults.add(fault as SimProtocolFault);
    else this.pump.inject(fault as SimPumpFault);
  }

  clear(fault: AsenaSimFault): void {
    if (PROTOCOL_FAULTS.includes(fault)) this.faults.delete(fault as SimProtocolFault);
    else this.pump.clear(fault as SimPumpFault);
  }

  /** How many commands of each kind arrived with a valid CRC (refused ones included). */
  commandCounts(): Readonly<Record<SimCommandKind, number>> {
    const kinds: SimCommandKind[] = [
      'INF', 'INF_VTBI', 'INST_SERIALNO', 'REMOTE_CTRL_ENABLE', 'REMOTE_CTRL_DISABLE', 'INF_RATE', 'INF_VTBI_SET',
      'INF_VTBI_DEACT', 'INF_START', 'INF_STOP', 'OTHER',
    ];
    return Object.fromEntries(kinds.map((k) => [k, this.counts.get(k) ?? 0])) as Record<SimCommandKind, number>;
  }

  /** Commands received that are not one of the three read queries (writes, refused or not, and unknown ones). */
  writeCommandCount(): number {
    let n = 0;
    for (const [kind, count] of this.counts) if (!READ_KINDS.includes(kind)) n += count;
    return n;
  }

  /** The connection went away: drop any partial frame and switch remote control off. */
  resetLink(): void {
    this.deframer.reset();
    this.remoteEnabled = false;
  }

  /** Consumes bytes from the host; returns the reply bytes (empty when there is nothing to say). */
  handleBytes(chunk: Uint8Array): Buffer {
    const replies: Buffer[] = [];
    for (const out of this.deframer.push(chunk)) {
      if (out.kind === 'rejected') {
        this.options.logger?.debug({ reason: out.rejection.reason, hex: hexDump(out.rejection.bytes) }, 'sim: frame ignored');
        continue;
      }
      const reply = this.handleCommand(out.body);
      if (this.faults.has('silence')) continue;
      replies.push(this.faults.has('corrupt-replies') ? corruptFrame(reply) : encodeFrame(reply));
    }
    return Buffer.concat(replies);
  }

  private count(kind: SimCommandKind): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  /** Executes one command body; returns the reply body. */
  private handleCommand(body: string): string {
    const f = body.split('^');
    const kind = classify(f);
    this.count(kind);
    switch (kind) {
      case 'INF':
        return infReplyBody(this.pump.snapshot());
      case 'INF_VTBI':
        return vtbiReplyBody(this.pump.snapshot().vtbiRemainingMl);
      case 'INST_SERIALNO':
        return serialReplyBody(this.pump.serial);
      case 'REMOTE_CTRL_ENABLE':
        if (f.length === 3 && f[2] === crc16Hex(crc16CcittFalse(this.pump.serial))) {
          this.remoteEnabled = true;
          return body;
        }
        this.remoteEnabled = false;
        return errorReplyBody('REMOTE_CODE');
      case 'REMOTE_CTRL_DISABLE':
        this.remoteEnabled = false;
        return body;
      case 'OTHER':
        return errorReplyBody('UNKNOWN_COMMAND');
      default:
        return this.remoteEnabled ? this.handleSet(kind, f, body) : errorReplyBody('REMOTE_DISABLED');
    }
  }

  private handleSet(kind: SimCommandKind, f: string[], body: string): string {
    switch (kind) {
      case 'INF_RATE': {
        const text = f[1] ?? '';
        if (f.length !== 3 || f[2] !== 'ml/h' || !DECIMAL.test(text)) return errorReplyBody('BAD_COMMAND');
        const rate = Number(text);
        const factor = this.faults.has('wrong-rate') ? this.wrongRateFactor : 1;
        if (rate < 0.1 || rate > 1200 || !this.pump.setRate(Math.min(1200, rate * factor))) {
          return errorReplyBody('RATE_RANGE');
        }
        return `INF_RATE^${rate.toFixed(2)}^ml/h`;
      }
      case 'INF_VTBI_SET': {
        const text = f[2] ?? '';
        if (f.length !== 5 || f[3] !== 'ml' || f[4] !== 'STOP' || !DECIMAL.test(text)) return errorReplyBody('BAD_COMMAND');
        const vtbi = Number(text);
        if (vtbi <= 0) return errorReplyBody('VTBI_RANGE');
        this.pump.setVtbi(vtbi);
        return `INF_VTBI^ACTIV^${vtbi.toFixed(3)}^ml^STOP`;
      }
      case 'INF_VTBI_DEACT':
        this.pump.setVtbi(null);
        return body;
      case 'INF_START':
        return this.pump.start() ? body : errorReplyBody('CANNOT_START');
      case 'INF_STOP':
        this.pump.stop();
        return body;
      default:
        return errorReplyBody('UNKNOWN_COMMAND');
    }
  }
}

function classify(f: string[]): SimCommandKind {
  const [command, first] = f;
  if (f.length === 1 && (command === 'INF' || command === 'INF_VTBI' || command === 'INST_SERIALNO')) return command;
  if (command === 'REMOTE_CTRL' && first === 'ENABLED') return 'REMOTE_CTRL_ENABLE';
  if (command === 'REMOTE_CTRL' && first === 'DISABLED' && f.length === 2) return 'REMOTE_CTRL_DISABLE';
  if (command === 'INF_RATE') return 'INF_RATE';
  if (command === 'INF_VTBI' && first === 'ACTIV') return 'INF_VTBI_SET';
  if (command === 'INF_VTBI' && first === 'DEACT' && f.length === 2) return 'INF_VTBI_DEACT';
  if (f.length === 1 && command === 'INF_START') return 'INF_START';
  if (f.length === 1 && command === 'INF_STOP') return 'INF_STOP';
  return 'OTHER';
}

/** A reply frame whose CRC is wrong (fault `corrupt-replies`). */
function corruptFrame(body: string): Buffer {
  const good = crc16CcittFalse(body);
  return Buffer.from(`!${body}|${crc16Hex(good ^ 0x5a5a)}\r`, 'latin1');
}
