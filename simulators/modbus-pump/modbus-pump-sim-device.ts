import type { Clock } from '../../src/core/clock.js';
import { VigilError } from '../../src/core/errors.js';
import { hexDump, type Logger } from '../../src/core/logger.js';
import type { PumpLinkMode, SimPumpSetup, SimPumpState } from '../alaris-asena/asena-sim-device.js';
import { DEFAULT_WRONG_RATE_FACTOR } from '../alaris-asena/pump-events.js';
import { AsenaPumpModel, type SimPumpFault } from '../alaris-asena/pump-model.js';
import { DEFAULT_GARBAGE_BYTES } from '../device/device-events.js';
import { ModbusRtuSlave } from '../modbus/modbus-rtu-slave.js';
import { ModbusSlave, type ReplyFault } from '../modbus/modbus-slave.js';
import { ModbusTcpServer } from '../modbus/modbus-tcp-server.js';
import type { InfusionSource } from '../patient/drug-exposure.js';
import { createRandom } from '../patient/seeded-random.js';
import type { DeviceOutput } from '../serve/device-output.js';
import type { PumpDeviceEvent } from '../sim-events.js';
import type { SimulatedListen } from '../sim-specs.js';
import { ModbusPumpRegisters, type PumpWriteKind } from './pump-registers.js';

export interface ModbusPumpSimDeviceOptions {
  /** Shown in listings; the reference pump has no serial register. */
  readonly serial: string;
  readonly setup: SimPumpSetup;
  /** Modbus slave address, 1-247 (default 1, the map's defaultUnitId). */
  readonly unitId?: number;
  /** Real time: the arm window and timed faults (`seconds`) run on it. */
  readonly clock: Clock;
  /** The bed's physiological time: the pump infuses on it (see scaled-clock.ts). */
  readonly pumpClock: Clock;
  readonly logger: Logger;
  /** Seed of the garbage-byte generator. */
  readonly seed: number;
  /** Called before anything may change the pump's delivery (the host syncs the patient's drug model). */
  readonly beforeChange?: () => void;
}

type LinkFault = 'disconnected' | 'silent' | 'corrupt-replies';
const PHYSICAL: readonly SimPumpFault[] = ['occlusion', 'air-in-line', 'door-open', 'low-battery'];

/**
 * The reference Modbus syringe pump in the SimulatorHost (model `modbus-syringe-pump`,
 * docs/protocols/reference-syringe-pump.md): the Asena simulator's pump model behind the
 * registers of config/modbus-maps/reference-syringe-pump.yaml, served as one Modbus slave
 * over Modbus TCP and Modbus RTU at once. Programmed only through arm / setpoint / commit
 * (or arm / stop). Events: the Asena pump's (physical alarms, keypad, wrong rate, corrupt
 * replies) and the link faults (silence, garbage, disconnect, resume). Timed faults end
 * lazily, at the next request, listing or event after they expire.
 */
export class ModbusPumpSimDevice {
  readonly pump: AsenaPumpModel;
  readonly registers: ModbusPumpRegisters;
  readonly slave: ModbusSlave;
  private readonly outputs: DeviceOutput[] = [];
  /** Active link faults and when each ends (real monotonic ms; null = until resume). */
  private readonly linkFaults = new Map<LinkFault, number | null>();
  private readonly random: () => number;

  constructor(private readonly o: ModbusPumpSimDeviceOptions) {
    const { setup } = o;
    this.pump = new AsenaPumpModel({
      clock: o.pumpClock, serial: o.serial, syringeVolumeMl: setup.syringeVolumeMl, rateMlPerHour: setup.rateMlPerHour,
    });
    if (setup.vtbiMl !== undefined) this.pump.setVtbi(setup.vtbiMl);
    if (setup.running) this.pump.start();
    this.registers = new ModbusPumpRegisters(this.pump, { clock: o.clock, logger: o.logger });
    this.slave = new ModbusSlave({
      unitId: o.unitId ?? 1, bank: this.registers.bank, logger: o.logger,
      beforeRequest: () => {
        this.expire();
        this.o.beforeChange?.();
        this.registers.refresh();
      },
    });
    this.random = createRandom(o.seed);
  }

  /** The drug this pump delivers: volume infused x concentration, mg. */
  infusionSource(id: string): InfusionSource {
    return { id, deliveredMg: () => this.pump.snapshot().volumeInfusedMl * this.o.setup.concentrationMgPerMl };
  }

  /** Serves the slave on `listen`: TCP = Modbus TCP, serial = Modbus RTU (8E1). Not started. */
  createOutput(listen: SimulatedListen, deps: { logger: Logger; reopenDelayMs?: number }): DeviceOutput {
    if (listen.kind === 'tcp') return new ModbusTcpServer({ slave: this.slave, host: listen.host, port: listen.port, logger: deps.logger });
    return new ModbusRtuSlave({
      slave: this.slave, path: listen.path, baudRate: listen.baudRate, logger: deps.logger, reopenDelayMs: deps.reopenDelayMs,
    });
  }

  /** Adds an output the slave is served on (it answers from the register bank, no receiver needed). */
  attach(output: DeviceOutput): void {
    this.outputs.push(output);
    output.setConnected(!this.linkFaults.has('disconnected'));
  }

  /** The pump only answers; nothing to start or stop. */
  start(): void {}
  stop(): void {}

  /** Write requests received by target (refused ones included): for tests. */
  writeCounts(): Readonly<Record<PumpWriteKind, number>> {
    return this.registers.writeCounts();
  }

  /** Every write request received (functions 6 and 16), refused or not. */
  writeCommandCount(): number {
    return this.registers.writeCommandCount();
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
        return this.pump.inject(event.type);
      case 'clear-alarms':
        for (const fault of PHYSICAL) this.pump.clear(fault);
        return;
      case 'keypad-rate':
        this.pump.setRateAtPump(event.rateMlPerHour);
        return;
      case 'keypad-stop':
        return this.pump.stopAtPump();
      case 'keypad-start':
        return this.keypadStart();
      case 'wrong-rate':
        return this.registers.setWrongRateFactor(event.factor ?? DEFAULT_WRONG_RATE_FACTOR);
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
        this.registers.setWrongRateFactor(null);
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

  /** The pump now: snapshot, concentration, link, faults; `remoteControl` = a write sequence is armed. */
  state(): SimPumpState {
    const snapshot = this.pump.snapshot();
    const factor = this.registers.activeWrongRateFactor;
    const faults = [
      ...(this.linkFaults.has('silent') ? ['silence'] : []),
      ...(this.linkFaults.has('corrupt-replies') ? ['corrupt-replies'] : []),
      ...(factor === null ? [] : [`wrong-rate x${factor}`]),
    ];
    return {
      ...snapshot, concentrationMgPerMl: this.o.setup.concentrationMgPerMl, link: this.mode().mode,
      remoteControl: this.registers.armed, faults,
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
    if (fault === 'disconnected') {
      for (const out of this.outputs) out.setConnected(false);
      this.registers.resetLink();
    }
    this.applyReplyFault();
  }

  private endLinkFault(fault: LinkFault): void {
    this.linkFaults.delete(fault);
    if (fault === 'disconnected') for (const out of this.outputs) out.setConnected(true);
    this.applyReplyFault();
  }

  /** Silence wins over corrupt replies (a silent device sends nothing to corrupt). */
  private applyReplyFault(): void {
    const fault: ReplyFault = this.linkFaults.has('silent') ? 'silent' : this.linkFaults.has('corrupt-replies') ? 'corrupt' : 'none';
    this.slave.setReplyFault(fault);
  }

  private expire(): void {
    const now = this.o.clock.monotonic();
    for (const [fault, until] of [...this.linkFaults]) if (until !== null && now >= until) this.endLinkFault(fault);
  }

  /** Unsolicited noise on every link (a master must resynchronise or drop the connection). */
  private writeGarbage(count: number): void {
    if (this.linkFaults.has('disconnected') || this.linkFaults.has('silent')) return;
    const bytes = Buffer.alloc(count);
    for (let i = 0; i < count; i++) bytes[i] = Math.floor(this.random() * 256);
    this.o.logger.debug({ dir: '→', bytes: bytes.length, hex: hexDump(bytes) }, 'garbage');
    for (const out of this.outputs) out.write(bytes);
  }
}
