import type { Clock } from '../../src/core/clock.js';
import { VigilError } from '../../src/core/errors.js';
import { hexDump, type Logger } from '../../src/core/logger.js';
import { DEFAULT_GARBAGE_BYTES } from '../device/device-events.js';
import type { InfusionSource } from '../patient/drug-exposure.js';
import { createRandom } from '../patient/seeded-random.js';
import type { DeviceOutput, DeviceReceiver } from '../serve/device-output.js';
import type { PumpDeviceEvent } from '../sim-events.js';
import { DEFAULT_WRONG_RATE_FACTOR } from './pump-events.js';
import { AsenaPumpModel, type SimPumpFault, type SimPumpSnapshot } from './pump-model.js';
import { AsenaProtocolHandler, type SimCommandKind } from './protocol-handler.js';

/** What the simulated pump's link is doing. */
export type PumpLinkMode = 'answering' | 'corrupt-replies' | 'silent' | 'disconnected';

/** The syringe and programme a simulated pump starts with. */
export interface SimPumpSetup {
  /** Ketamine in the syringe, mg/mL. */
  readonly concentrationMgPerMl: number;
  readonly rateMlPerHour: number;
  readonly vtbiMl?: number;
  /** Default 50. */
  readonly syringeVolumeMl?: number;
  /** Infusing at start (default false). */
  readonly running?: boolean;
}

export interface AsenaSimDeviceOptions {
  readonly serial: string;
  readonly setup: SimPumpSetup;
  /** Real time: timed faults (`seconds`) run on it. */
  readonly clock: Clock;
  /** The bed's physiological time: the pump infuses on it (see scaled-clock.ts). */
  readonly pumpClock: Clock;
  readonly logger: Logger;
  /** Seed of the garbage-byte generator. */
  readonly seed: number;
  /** Called before anything may change the pump's delivery (the host syncs the patient's drug model). */
  readonly beforeChange?: () => void;
}

/** The pump's state for the control API and the CLI. */
export interface SimPumpState extends SimPumpSnapshot {
  readonly concentrationMgPerMl: number;
  readonly link: PumpLinkMode;
  readonly remoteControl: boolean;
  /** Active protocol faults, e.g. `wrong-rate x1.1`. */
  readonly faults: string[];
}

type LinkFault = 'disconnected' | 'silent' | 'corrupt-replies';
const PHYSICAL: readonly SimPumpFault[] = ['occlusion', 'air-in-line', 'door-open', 'low-battery'];

/**
 * A simulated Alaris Asena GH in the SimulatorHost: the pump model and its protocol
 * handler (docs/protocols/asena-gh.md) behind the host's outputs, answering each command
 * on the link it came from. Events: physical alarms, keypad actions, protocol faults
 * (silence, corrupt replies, wrong rate) and link faults (garbage, disconnect). Timed
 * faults end lazily, at the first bytes, listing or event after they expire.
 */
export class AsenaSimDevice implements DeviceReceiver {
  readonly pump: AsenaPumpModel;
  readonly handler: AsenaProtocolHandler;
  private readonly outputs: DeviceOutput[] = [];
  /** Active link faults and when each ends (real monotonic ms; null = until resume). */
  private readonly linkFaults = new Map<LinkFault, number | null>();
  private wrongRateFactor: number | null = null;
  private readonly random: () => number;

  constructor(private readonly o: AsenaSimDeviceOptions) {
    const { setup } = o;
    this.pump = new AsenaPumpModel({
      clock: o.pumpClock, serial: o.serial, syringeVolumeMl: setup.syringeVolumeMl, rateMlPerHour: setup.rateMlPerHour,
    });
    this.handler = new AsenaProtocolHandler(this.pump, { logger: o.logger });
    if (setup.vtbiMl !== undefined) this.pump.setVtbi(setup.vtbiMl);
    if (setup.running) this.pump.start();
    this.random = createRandom(o.seed);
  }

  /** The drug this pump delivers: volume infused x concentration, mg. */
  infusionSource(id: string): InfusionSource {
    return { id, deliveredMg: () => this.pump.snapshot().volumeInfusedMl * this.o.setup.concentrationMgPerMl };
  }

  /** Adds an output: the host's bytes arrive from it and replies go back on it. */
  attach(output: DeviceOutput): void {
    this.outputs.push(output);
    output.setReceiver(this);
    output.setConnected(!this.linkFaults.has('disconnected'));
  }

  /** The pump only answers; nothing to start or stop. */
  start(): void {}
  stop(): void {}

  receive(bytes: Buffer, reply: (bytes: Buffer) => void): void {
    this.expire();
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

  /** Commands received by kind (valid CRC, refused ones included). */
  commandCounts(): Readonly<Record<SimCommandKind, number>> {
    return this.handler.commandCounts();
  }

  /** Commands received that are not one of the three read queries. */
  writeCommandCount(): number {
    return this.handler.writeCommandCount();
  }

  /** Applies an event. Throws VigilError SIMULATOR_EVENT_REFUSED when the pump will not start. */
  handle(event: PumpDeviceEvent): void {
    this.expire();
    this.o.logger.info({ event }, 'pump event');
    this.o.beforeChange?.();
    switch (event.type) {
      case 'occlusion':
      case 'air-in-line':
      case 'door-open':
      case 'low-battery':
        return this.handler.inject(event.type);
      case 'clear-alarms':
        for (const fault of PHYSICAL) this.handler.clear(fault);
        return;
      case 'keypad-rate':
        this.pump.setRateAtPump(event.rateMlPerHour);
        return;
      case 'keypad-stop':
        return this.pump.stopAtPump();
      case 'keypad-start':
        return this.keypadStart();
      case 'wrong-rate':
        this.wrongRateFactor = event.factor ?? DEFAULT_WRONG_RATE_FACTOR;
        this.handler.setWrongRateFactor(this.wrongRateFactor);
        return this.handler.inject('wrong-rate');
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
        this.wrongRateFactor = null;
        this.handler.clear('wrong-rate');
        return;
    }
  }

  /** The link's mode (worst first) and, for a timed fault, the whole seconds left. */
  mode(): { mode: PumpLinkMode; secondsLeft: number | null } {
    this.expire();
    for (const fault of ['disconnected', 'silent', 'corrupt-replies'] as const) {
      if (!this.linkFaults.has(fault)) continue;
      const until = this.linkFaults.get(fault) ?? null;
      return { mode: fault, secondsLeft: until === null ? null : Math.ceil((until - this.o.clock.monotonic()) / 1000) };
    }
    return { mode: 'answering', secondsLeft: null };
  }

  /** The pump now: snapshot, concentration, link and faults. */
  state(): SimPumpState {
    const snapshot = this.pump.snapshot();
    const faults = this.handler.activeFaults().map((f) => (f === 'wrong-rate' ? `wrong-rate x${this.wrongRateFactor}` : f));
    return {
      ...snapshot, concentrationMgPerMl: this.o.setup.concentrationMgPerMl, link: this.mode().mode,
      remoteControl: this.handler.remoteControlEnabled, faults,
    };
  }

  /** One line for listings, e.g. `running 52.50 mL/h, 3.2 mL infused; alarms: occlusion`. */
  describe(): string {
    const s = this.state();
    const parts = [`${s.running ? 'running' : 'stopped'} ${s.rateMlPerHour.toFixed(2)} mL/h, ${s.volumeInfusedMl.toFixed(1)} mL infused`];
    if (s.alarms.length > 0) parts.push(`alarms: ${s.alarms.join(', ')}`);
    const protocol = s.faults.filter((f) => f.startsWith('wrong-rate'));
    if (protocol.length > 0) parts.push(protocol.join(', '));
    return parts.join('; ');
  }

  private keypadStart(): void {
    if (this.pump.startAtPump()) return;
    const s = this.pump.snapshot();
    const why = s.alarms.length > 0 ? `alarm ${s.alarms.join(', ')}` : 'nothing left to infuse';
    throw new VigilError('SIMULATOR_EVENT_REFUSED', `keypad-start: the pump did not start (${why})`, { alarms: s.alarms });
  }

  private setLinkFault(fault: LinkFault, seconds: number | undefined): void {
    this.linkFaults.set(fault, seconds === undefined ? null : this.o.clock.monotonic() + seconds * 1000);
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

  /** Unsolicited noise on the line, ended by CR as a frame would be. */
  private writeGarbage(count: number): void {
    if (this.linkFaults.has('disconnected') || this.linkFaults.has('silent')) return;
    const bytes = Buffer.alloc(count + 1);
    for (let i = 0; i < count; i++) bytes[i] = Math.floor(this.random() * 256);
    bytes[count] = 0x0d;
    this.o.logger.debug({ dir: '→', bytes: bytes.length, hex: hexDump(bytes) }, 'garbage');
    for (const out of this.outputs) out.write(bytes);
  }
}
