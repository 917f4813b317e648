import { hexDump, type Logger } from '../../src/core/logger.js';
import { encodeSafeFrame, SafeDeframer } from '../../drivers/ne1000/safe-frame-codec.js';
import { SIM_RATE_UNIT_ML_PER_HOUR, type Ne1000PumpModel, type Ne1000RateUnit } from './pump-model.js';

/**
 * The safe-mode byte protocol of the simulated NE-1000 (docs/protocols/ne1000.md):
 * `handleBytes(chunk)` returns the reply packets. Every valid packet addressed to the pump
 * restarts its watchdog; when none arrives for `watchdogSeconds` the pump stops with alarm T
 * and sends an automatic alarm packet (`onUnsolicited`). The first reply after an alarm is the
 * alarm status alone, which acknowledges it (the command is not executed). Packets with a bad
 * CRC get no reply and do not feed the watchdog. Faults: silence, corrupt replies, stall.
 */

export type Ne1000SimQueryKind = 'STATUS' | 'VER' | 'SAF' | 'DIA' | 'RAT' | 'VOL' | 'DIS' | 'DIR';
export type Ne1000SimWriteKind = 'SET_RAT' | 'SET_VOL' | 'SET_DIA' | 'SET_DIR' | 'SET_SAF' | 'RUN' | 'STP' | 'CLD' | 'OTHER';
/** What the simulator received, by kind. Everything but the queries counts as a write. */
export type Ne1000SimCommandKind = Ne1000SimQueryKind | Ne1000SimWriteKind;

export const NE1000_SIM_QUERY_KINDS: readonly Ne1000SimQueryKind[] = ['STATUS', 'VER', 'SAF', 'DIA', 'RAT', 'VOL', 'DIS', 'DIR'];
const ALL_KINDS: readonly Ne1000SimCommandKind[] = [
  ...NE1000_SIM_QUERY_KINDS, 'SET_RAT', 'SET_VOL', 'SET_DIA', 'SET_DIR', 'SET_SAF', 'RUN', 'STP', 'CLD', 'OTHER',
];

export type Ne1000ProtocolFault = 'silence' | 'corrupt-replies';

export interface Ne1000ProtocolHandlerOptions {
  /** Network address, 0-99 (default 0). */
  readonly address?: number;
  /** Safe-mode watchdog set at the pump, seconds 1-255. */
  readonly watchdogSeconds: number;
  /** Where the pump's automatic alarm packets go (e.g. every connected client). */
  readonly onUnsolicited?: (bytes: Buffer) => void;
  /** Monotonic ms for the 0.5 s inter-byte timeout (default performance.now()). */
  readonly now?: () => number;
  readonly logger?: Logger;
}

export class Ne1000ProtocolHandler {
  private readonly deframer: SafeDeframer;
  private readonly faults = new Set<Ne1000ProtocolFault>();
  private readonly counts = new Map<Ne1000SimCommandKind, number>();
  private readonly address: number;
  private watchdogSeconds: number;
  private watchdogTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdogTrips = 0;

  constructor(
    readonly pump: Ne1000PumpModel,
    private readonly options: Ne1000ProtocolHandlerOptions,
  ) {
    this.address = options.address ?? 0;
    this.watchdogSeconds = options.watchdogSeconds;
    this.deframer = new SafeDeframer(options.now ? { now: options.now } : {});
  }

  /** The watchdog now set, seconds. */
  get watchdog(): number {
    return this.watchdogSeconds;
  }

  /** How many times the watchdog stopped the pump. */
  get watchdogTripCount(): number {
    return this.watchdogTrips;
  }

  activeFaults(): Ne1000ProtocolFault[] {
    return [...this.faults];
  }

  inject(fault: Ne1000ProtocolFault): void {
    this.faults.add(fault);
  }

  clear(fault: Ne1000ProtocolFault): void {
    this.faults.delete(fault);
  }

  /** The motor stalls (occlusion or syringe at its end): the pump stops with alarm S and says so. */
  stall(): void {
    this.pump.raiseAlarm('S');
    this.sendStatusUnasked();
  }

  /** Commands received by kind (valid CRC, addressed to this pump). */
  commandCounts(): Readonly<Record<Ne1000SimCommandKind, number>> {
    return Object.fromEntries(ALL_KINDS.map((k) => [k, this.counts.get(k) ?? 0])) as Record<Ne1000SimCommandKind, number>;
  }

  /** Commands received that are not queries (set commands, RUN, STP, CLD, unknown ones). */
  writeCommandCount(): number {
    let n = 0;
    for (const [kind, count] of this.counts) if (!(NE1000_SIM_QUERY_KINDS as readonly string[]).includes(kind)) n += count;
    return n;
  }

  /** The connection went away: drop any partial packet. The watchdog keeps running. */
  resetLink(): void {
    this.deframer.reset();
  }

  /** Stops the watchdog timer (simulator shutdown). */
  dispose(): void {
    if (this.watchdogTimer) clearTimeout(this.watchdogTimer);
    this.watchdogTimer = null;
  }

  /** Consumes bytes from the host; returns the reply bytes (empty when there is nothing to say). */
  handleBytes(chunk: Uint8Array): Buffer {
    const replies: Buffer[] = [];
    for (const out of this.deframer.push(chunk)) {
      if (out.kind === 'rejected') {
        this.options.logger?.debug({ reason: out.rejection.reason, hex: hexDump(out.rejection.bytes) }, 'sim ne1000: packet ignored');
        continue;
      }
      const m = /^(\d{1,2}|\*)?([A-Z]{3})?(.*)$/s.exec(out.data);
      const address = m?.[1];
      if (!m || (address !== undefined && address !== '*' && Number(address) !== this.address)) continue;
      this.feedWatchdog();
      const reply = this.execute(m[2] ?? '', m[3] ?? '');
      if (!this.faults.has('silence')) replies.push(this.frame(reply));
    }
    return Buffer.concat(replies);
  }

  private frame(data: string): Buffer {
    const packet = encodeSafeFrame(data);
    if (this.faults.has('corrupt-replies')) packet[packet.length - 2] = (packet[packet.length - 2] as number) ^ 0x5a;
    return packet;
  }

  private feedWatchdog(): void {
    if (this.watchdogTimer) clearTimeout(this.watchdogTimer);
    this.watchdogTimer = setTimeout(() => {
      this.watchdogTimer = null;
      this.watchdogTrips++;
      this.options.logger?.info({ watchdogSeconds: this.watchdogSeconds }, 'sim ne1000: no valid packet in time: pump stopped (A?T)');
      this.pump.raiseAlarm('T');
      this.sendStatusUnasked();
    }, this.watchdogSeconds * 1000);
  }

  /** The safe-mode auto-alarm packet (it does not acknowledge the alarm). */
  private sendStatusUnasked(): void {
    if (this.faults.has('silence')) return;
    this.options.onUnsolicited?.(this.frame(this.statusData()));
  }

  private statusData(): string {
    const s = this.pump.snapshot();
    const addr = String(this.address).padStart(2, '0');
    return `${addr}${s.alarm !== null ? `A?${s.alarm}` : s.running ? 'I' : 'S'}`;
  }

  private count(kind: Ne1000SimCommandKind): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  /** Executes one command; returns the reply DATA. */
  private execute(command: string, params: string): string {
    const kind = classify(command, params);
    this.count(kind);
    if (this.pump.snapshot().alarm !== null) {
      // Reported in reply to a valid command: the alarm is acknowledged; the command is not executed.
      const data = this.statusData();
      this.pump.acknowledgeAlarm();
      return data;
    }
    const body = this.run(kind, params);
    return `${this.statusData()}${body}`;
  }

  /** The reply text after the status for one command. */
  private run(kind: Ne1000SimCommandKind, params: string): string {
    const s = this.pump.snapshot();
    switch (kind) {
      case 'STATUS':
        return '';
      case 'VER':
        return 'NE1000V3.928';
      case 'SAF':
        return String(this.watchdogSeconds);
      case 'DIA':
        return formatFloat(s.diameterMm);
      case 'RAT':
        return `${formatFloat(s.rateMlPerHour / SIM_RATE_UNIT_ML_PER_HOUR[s.rateUnit])}${s.rateUnit}`;
      case 'VOL':
        return `${formatFloat(s.targetVolumeMl)}ML`;
      case 'DIS':
        return `I${formatFloat(s.volumeInfusedMl)}W${formatFloat(s.volumeWithdrawnMl)}ML`;
      case 'DIR':
        return 'INF';
      case 'SET_RAT': {
        const m = /^(\d+\.?\d*)(UM|MM|UH|MH)?$/.exec(params);
        const unit = (m?.[2] ?? s.rateUnit) as Ne1000RateUnit;
        return m && this.pump.setRateInUnit(Number(m[1]), unit) ? '' : '?OOR';
      }
      case 'SET_VOL':
        return /^\d+\.?\d*$/.test(params) && this.pump.setTargetVolume(Number(params)) ? '' : '?OOR';
      case 'SET_DIA':
        return /^\d+\.?\d*$/.test(params) && this.pump.setDiameter(Number(params)) ? '' : '?OOR';
      case 'SET_DIR':
        return params === 'INF' ? '' : '?NA';
      case 'SET_SAF': {
        const n = Number(params);
        if (!/^\d{1,3}$/.test(params) || n > 255) return '?OOR';
        if (n === 0) return '?NA'; // basic mode is not simulated
        this.watchdogSeconds = n;
        this.feedWatchdog();
        return '';
      }
      case 'RUN':
        return this.pump.run() ? '' : '?NA';
      case 'STP':
        this.pump.stop();
        return '';
      case 'CLD':
        this.pump.clearDispensed();
        return '';
      case 'OTHER':
        return '?';
    }
  }
}

function classify(command: string, params: string): Ne1000SimCommandKind {
  if (command === '') return params === '' ? 'STATUS' : 'OTHER';
  const queries: readonly string[] = NE1000_SIM_QUERY_KINDS;
  if (params === '' && queries.includes(command)) return command as Ne1000SimQueryKind;
  if (command === 'RUN' || command === 'STP' || command === 'CLD') return command;
  const writable: readonly string[] = ['RAT', 'VOL', 'DIA', 'DIR', 'SAF'];
  return writable.includes(command) ? (`SET_${command}` as Ne1000SimWriteKind) : 'OTHER';
}

/** An NE-1000 `<float>`: at most 4 digits, at most 3 after the point (e.g. 5.000, 12.50, 1200). */
export function formatFloat(value: number): string {
  const v = Math.max(0, Math.min(9999, value));
  const decimals = v < 10 ? 3 : v < 100 ? 2 : v < 1000 ? 1 : 0;
  const text = v.toFixed(decimals);
  // Rounding may add a digit (9.9996 -> "10.000"): drop one decimal then.
  return text.replace('.', '').length > 4 && decimals > 0 ? v.toFixed(decimals - 1) : text;
}
