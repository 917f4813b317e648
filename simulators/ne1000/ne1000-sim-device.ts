import type { Clock } from '../../src/core/clock.js';
import { VigilError } from '../../src/core/errors.js';
import { hexDump, type Logger } from '../../src/core/logger.js';
import { DEFAULT_GARBAGE_BYTES } from '../device/device-events.js';
import type { InfusionSource } from '../patient/drug-exposure.js';
import { createRandom } from '../patient/seeded-random.js';
import type { DeviceOutput, DeviceReceiver } from '../serve/device-output.js';
import type { PumpDeviceEvent } from '../sim-events.js';
import type { SimPumpState } from '../alaris-asena/asena-sim-device.js';
import { Ne1000PumpModel, type Ne1000AlarmLetter, type Ne1000RateUnit } from './pump-model.js';
import { Ne1000ProtocolHandler, type Ne1000SimCommandKind } from './protocol-handler.js';

/** What the simulated pump's link is doing. */
export type Ne1000LinkMode = 'answering' | 'corrupt-replies' | 'silent' | 'disconnected';

/** Default safe-mode watchdog of the simulated pump, seconds. */
export const DEFAULT_SIM_WATCHDOG_SECONDS = 10;

export interface Ne1000SimSetup {
  /** Ketamine in the syringe, mg/mL. */
  readonly concentrationMgPerMl: number;
  readonly rateMlPerHour: number;
  /** Volume to be dispensed (VOL), mL; absent = until stopped. */
  readonly vtbiMl?: number;
  /** Default 50. */
  readonly syringeVolumeMl?: number;
  /** Infusing at start (default false). */
  readonly running?: boolean;
}

export interface Ne1000SimDeviceOptions {
  readonly setup: Ne1000SimSetup;
  /** Shown in listings only (the NE-1000 protocol carries no serial number). Default `NE1000`. */
  readonly serial?: string;
  /** Network address, default 0. */
  readonly address?: number;
  /** Safe-mode watchdog set at the pump, seconds (default 10). */
  readonly watchdogSeconds?: number;
  /** Real time: timed faults (`seconds`) run on it. */
  readonly clock: Clock;
  /** The bed's physiological time: the pump infuses on it. */
  readonly pumpClock: Clock;
  readonly logger: Logger;
  /** Seed of the garbage-byte generator. */
  readonly seed: number;
  /** Called before anything may change the pump's delivery (the host syncs the patient's drug model). */
  readonly beforeChange?: () => void;
}

/**
 * The pump's state for the control API and tests, in the shape every simulated pump shares.
 * NE-1000 specifics: `pressureMmHg` is NaN (no pressure sensor; JSON null), `alarms` is empty
 * and the pump's own alarm letter is in `alarm`, `remoteControl` is always false.
 */
export interface Ne1000SimState extends SimPumpState {
  /** The alarm the pump shows until acknowledged: R, S, T, E, O, or null. */
  readonly alarm: Ne1000AlarmLetter | null;
  readonly rateUnit: Ne1000RateUnit;
  readonly diameterMm: number;
  readonly targetVolumeMl: number;
  readonly watchdogSeconds: number;
  /** How many times the watchdog stopped the pump. */
  readonly watchdogTrips: number;
}

type LinkFault = 'disconnected' | 'silent' | 'corrupt-replies';

/**
 * A simulated NE-1000 in safe mode behind the host's outputs (TCP or serial): the pump model and
 * its protocol handler, answering on the link each command came from and sending automatic alarm
 * packets to every output. Events: `occlusion` stalls the motor (A?S; the NE-1000 has no
 * occlusion sensor), keypad start/stop/rate and `clear-alarms` are a nurse at the pump, and the
 * link faults silence, corrupt-replies, garbage, disconnect, resume. Timed faults end lazily.
 */
export class Ne1000SimDevice implements DeviceReceiver {
  readonly pump: Ne1000PumpModel;
  readonly handler: Ne1000ProtocolHandler;
  private readonly outputs: DeviceOutput[] = [];
  private readonly linkFaults = new Map<LinkFault, number | null>();
  private readonly random: () => number;
  /** Ends timed link faults on time even when no byte arrives (a disconnected pump receives none). */
  private readonly faultTimers = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly o: Ne1000SimDeviceOptions) {
    const { setup } = o;
    this.pump = new Ne1000PumpModel({
      clock: o.pumpClock, rateMlPerHour: setup.rateMlPerHour, syringeVolumeMl: setup.syringeVolumeMl, targetVolumeMl: setup.vtbiMl ?? 0,
    });
    this.handler = new Ne1000ProtocolHandler(this.pump, {
      address: o.address ?? 0, watchdogSeconds: o.watchdogSeconds ?? DEFAULT_SIM_WATCHDOG_SECONDS, logger: o.logger,
      now: () => o.clock.monotonic(),
      onUnsolicited: (bytes) => this.writeAll(bytes, 'alarm packet'),
    });
    if (setup.running) this.pump.run();
    this.random = createRandom(o.seed);
  }

  /** The drug this pump delivers: volume infused x concentration, mg. */
  infusionSource(id: string): InfusionSource {
    return { id, deliveredMg: () => this.pump.snapshot().volumeInfusedMl * this.o.setup.concentrationMgPerMl };
  }

  attach(output: DeviceOutput): void {
    this.outputs.push(output);
    output.setReceiver(this);
    output.setConnected(!this.linkFaults.has('disconnected'));
  }

  start(): void {}

  stop(): void {
    this.handler.dispose();
    for (const t of this.faultTimers) clearTimeout(t);
    this.faultTimers.clear();
  }

  receive(bytes: Buffer, reply: (bytes: Buffer) => void): void {
    this.expire();
    if (this.linkFaults.has('disconnected')) return;
    this.o.logger.debug({ dir: '←', bytes: bytes.length, hex: hexDump(bytes) }, 'command bytes');
    this.o.beforeChange?.();
    const out = this.handler.handleBytes(bytes);
    if (out.length === 0) return;
    this.o.logger.debug({ dir: '→', bytes: out.length, hex: hexDump(out) }, 'reply');
    reply(out);
  }

  linkReset(): void {
    this.handler.resetLink();
  }

  commandCounts(): Readonly<Record<Ne1000SimCommandKind, number>> {
    return this.handler.commandCounts();
  }

  /** Commands received that are not queries: for tests (Vigil must send none). */
  writeCommandCount(): number {
    return this.handler.writeCommandCount();
  }

  /** Applies an event. Throws VigilError SIMULATOR_EVENT_INVALID for events an NE-1000 does not have, SIMULATOR_EVENT_REFUSED when it will not start. */
  handle(event: PumpDeviceEvent): void {
    this.expire();
    this.o.logger.info({ event }, 'pump event');
    this.o.beforeChange?.();
    switch (event.type) {
      case 'occlusion':
        return this.handler.stall();
      case 'clear-alarms':
        return this.pump.acknowledgeAlarm();
      case 'keypad-rate':
        this.pump.setRate(event.rateMlPerHour);
        return;
      case 'keypad-stop':
        return this.pump.stop();
      case 'keypad-start':
        return this.keypadStart();
      case 'corrupt-replies':
        return this.setLinkFault('corrupt-replies', event.seconds);
      case 'silence':
        return this.setLinkFault('silent', event.seconds);
      case 'disconnect':
        return this.setLinkFault('disconnected', event.seconds);
      case 'garbage':
        return this.writeGarbage(event.bytes ?? DEFAULT_GARBAGE_BYTES);
      case 'resume':
        for (const fault of [...this.linkFaults.keys()]) this.endLinkFault(fault);
        return;
      default:
        throw new VigilError('SIMULATOR_EVENT_INVALID', `"${event.type}" is not an event of the NE-1000 simulator`, { type: event.type });
    }
  }

  /** The link's mode (worst first) and, for a timed fault, the whole seconds left. */
  mode(): { mode: Ne1000LinkMode; secondsLeft: number | null } {
    this.expire();
    for (const fault of ['disconnected', 'silent', 'corrupt-replies'] as const) {
      if (!this.linkFaults.has(fault)) continue;
      const until = this.linkFaults.get(fault) ?? null;
      return { mode: fault, secondsLeft: until === null ? null : Math.ceil((until - this.o.clock.monotonic()) / 1000) };
    }
    return { mode: 'answering', secondsLeft: null };
  }

  state(): Ne1000SimState {
    const s = this.pump.snapshot();
    const toTargetMl = s.targetVolumeMl > 0 ? Math.max(0, s.targetVolumeMl - s.volumeInfusedMl) : null;
    const deliverableMl = Math.min(toTargetMl ?? Number.POSITIVE_INFINITY, s.syringeRemainingMl);
    return {
      serial: this.o.serial ?? 'NE1000', running: s.running, rateMlPerHour: s.rateMlPerHour, volumeInfusedMl: s.volumeInfusedMl,
      syringeRemainingMl: s.syringeRemainingMl, vtbiRemainingMl: toTargetMl, pressureMmHg: Number.NaN,
      timeRemainingSeconds: s.running ? (deliverableMl / s.rateMlPerHour) * 3600 : null, alarms: [], logEntryId: 0,
      concentrationMgPerMl: this.o.setup.concentrationMgPerMl, link: this.mode().mode, remoteControl: false,
      faults: this.handler.activeFaults(), alarm: s.alarm, rateUnit: s.rateUnit, diameterMm: s.diameterMm,
      targetVolumeMl: s.targetVolumeMl, watchdogSeconds: this.handler.watchdog, watchdogTrips: this.handler.watchdogTripCount,
    };
  }

  /** One line for listings, e.g. `running 2.00 mL/h, 0.3 mL infused; watchdog 10 s; alarm T`. */
  describe(): string {
    const s = this.state();
    const parts = [
      `${s.running ? 'running' : 'stopped'} ${s.rateMlPerHour.toFixed(2)} mL/h, ${s.volumeInfusedMl.toFixed(1)} mL infused`,
      `watchdog ${s.watchdogSeconds} s`,
    ];
    if (s.alarm !== null) parts.push(`alarm ${s.alarm}`);
    return parts.join('; ');
  }

  /** A nurse clears any alarm at the keypad and presses run. */
  private keypadStart(): void {
    this.pump.acknowledgeAlarm();
    if (this.pump.run()) return;
    throw new VigilError('SIMULATOR_EVENT_REFUSED', 'keypad-start: the pump did not start (nothing left to infuse)', {});
  }

  private setLinkFault(fault: LinkFault, seconds: number | undefined): void {
    const until = seconds === undefined ? null : this.o.clock.monotonic() + seconds * 1000;
    this.linkFaults.set(fault, until);
    if (seconds !== undefined) {
      const timer = setTimeout(() => {
        this.faultTimers.delete(timer);
        // A timer may fire a hair before the clock reaches `until`: end this very fault, unless renewed since.
        if (this.linkFaults.get(fault) === until) this.endLinkFault(fault);
      }, seconds * 1000);
      timer.unref?.();
      this.faultTimers.add(timer);
    }
    if (fault === 'silent') this.handler.inject('silence');
    if (fault === 'corrupt-replies') this.handler.inject('corrupt-replies');
    if (fault === 'disconnected') {
      for (const out of this.outputs) out.setConnected(false);
      this.handler.resetLink();
    }
  }

  private endLinkFault(fault: LinkFault): void {
    this.linkFaults.delete(fault);
    if (fault === 'silent') this.handler.clear('silence');
    if (fault === 'corrupt-replies') this.handler.clear('corrupt-replies');
    if (fault === 'disconnected') for (const out of this.outputs) out.setConnected(true);
  }

  private expire(): void {
    const now = this.o.clock.monotonic();
    for (const [fault, until] of [...this.linkFaults]) if (until !== null && now >= until) this.endLinkFault(fault);
  }

  private writeAll(bytes: Buffer, what: string): void {
    if (this.linkFaults.has('disconnected')) return;
    this.o.logger.debug({ dir: '→', bytes: bytes.length, hex: hexDump(bytes) }, what);
    for (const out of this.outputs) out.write(bytes);
  }

  /** Unsolicited random bytes on the line (they may hold an STX: the host's deframer must resynchronise). */
  private writeGarbage(count: number): void {
    if (this.linkFaults.has('silent')) return;
    const bytes = Buffer.alloc(count);
    for (let i = 0; i < count; i++) bytes[i] = Math.floor(this.random() * 256);
    this.writeAll(bytes, 'garbage');
  }
}
