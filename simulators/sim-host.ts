import { systemClock, type Clock } from '../src/core/clock.js';
import { VigilError } from '../src/core/errors.js';
import type { Logger } from '../src/core/logger.js';
import type { SimPumpState } from './alaris-asena/asena-sim-device.js';
import type { SimCommandKind } from './alaris-asena/protocol-handler.js';
import { ModbusPumpSimDevice } from './modbus-pump/modbus-pump-sim-device.js';
import type { PumpWriteKind } from './modbus-pump/pump-registers.js';
import { startControlServer, type ControlServer } from './control/control-server.js';
import { seedFromString } from './patient/seeded-random.js';
import { patientSpecSchema, VirtualPatient, type PatientDrugState, type PatientSpec } from './patient/virtual-patient.js';
import type { Vitals } from './patient/vitals.js';
import { createOutput, createSimDevice, type SimDevice } from './sim-devices.js';
import { isDeviceEvent, isMonitorEvent, isNoninEvent, isPatientEvent, isPumpDeviceEvent, parseSimEvent, type SimEvent } from './sim-events.js';
import { NoninSimulator } from './nonin/nonin-simulator.js';
import { Ne1000SimDevice } from './ne1000/ne1000-sim-device.js';
import {
  configInvalid,
  idSchema,
  listenSchema,
  simulatedDeviceSpecSchema,
  type SimulatedDeviceSpec,
  type SimulatedListen,
} from './sim-specs.js';

export { simEventSchema, type SimEvent } from './sim-events.js';
export type { PatientSpec } from './patient/virtual-patient.js';
export {
  SIMULATED_MODELS,
  SIMULATED_PUMP_MODELS,
  simulatedDeviceSpecSchema,
  type SimulatedDeviceSpec,
  type SimulatedListen,
  type SimulatedModel,
  type SimulatedPump,
} from './sim-specs.js';

/** How often the host brings each patient's drug model up to date, real ms. */
export const PHYSIOLOGY_TICK_MS = 1000;

/** One row of `list()`. */
export interface SimulatedDeviceInfo {
  bedId: string;
  deviceId: string;
  model: SimulatedDeviceSpec['model'];
  /** Where it serves, e.g. `tcp://127.0.0.1:4101` (several joined by `, `). */
  listen: string;
  /**
   * Oximeter: `streaming`, `sensor-off`, `silent` or `disconnected` (Nonin also `artifact`).
   * Pump: `answering`, `corrupt-replies`, `silent` or `disconnected`.
   * Modbus monitor: `answering`, `corrupt-crc`, `silent` or `disconnected`.
   */
  state: string;
  /** Time left of a timed fault, the pump's delivery, and the outputs' state, e.g. `12 s left; 1 client`. */
  detail: string;
}

/** `describeBed()`: the patient now, and each pump of the bed. */
export interface SimulatedBedInfo {
  bedId: string;
  /** Vitals now, noise included (BP, respiration, EtCO2, temperature with the oximetry values). */
  vitals: Vitals;
  /** Active effects (the ketamine response, scripted events), described. */
  effects: string[];
  /** Ketamine: Cp, Ce (ng/mL), amounts, sensitivity, the response now. */
  drug: PatientDrugState;
  pumps: Array<SimPumpState & { deviceId: string; doseMgPerKgPerHour: number }>;
}

interface SimBed { patient: VirtualPatient; devices: Map<string, SimDevice> }

/**
 * Runs virtual patients (one per bed) and simulated devices serving real bytes over TCP
 * or serial; the daemon and `vigil sim` drive it, and its control API triggers events.
 * A bed's pump feeds its patient the ketamine it actually delivers.
 */
export class SimulatorHost {
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly beds = new Map<string, SimBed>();
  private control: ControlServer | null = null;
  private readonly serialReopenDelayMs: number | undefined;
  private physiologyTimer: NodeJS.Timeout | null = null;

  /** `serialReopenDelayMs`: wait before reopening a failed serial output (default 1000). */
  constructor(deps: { logger: Logger; clock?: Clock; serialReopenDelayMs?: number }) {
    this.logger = deps.logger.child({ component: 'simulator' });
    this.clock = deps.clock ?? systemClock;
    this.serialReopenDelayMs = deps.serialReopenDelayMs;
  }

  /** Creates the bed's virtual patient. Default seed: derived from the bed id. */
  addBed(bedId: string, patient: PatientSpec = {}): void {
    const id = idSchema.safeParse(bedId);
    if (!id.success) throw configInvalid('bedId', id.error);
    if (this.beds.has(bedId)) throw new VigilError('CONFIG_INVALID', `simulated bed "${bedId}" already exists`, { bedId });
    const spec = patientSpecSchema.safeParse(patient);
    if (!spec.success) throw configInvalid(`patient of bed ${bedId}`, spec.error);
    const seed = spec.data.seed ?? seedFromString(bedId);
    this.beds.set(bedId, { patient: new VirtualPatient(this.clock, { ...spec.data, seed }), devices: new Map() });
  }

  /** Starts a simulated device (adding its bed with a default patient if needed). */
  async addDevice(input: SimulatedDeviceSpec): Promise<{ port?: number }> {
    const parsed = simulatedDeviceSpecSchema.safeParse(input);
    if (!parsed.success) throw configInvalid('simulated device', parsed.error);
    const spec = parsed.data;
    if (!this.beds.has(spec.bedId)) this.addBed(spec.bedId);
    const bed = this.beds.get(spec.bedId) as SimBed;
    if (bed.devices.has(spec.deviceId)) {
      throw new VigilError('CONFIG_INVALID', `simulated device ${spec.bedId}/${spec.deviceId} already exists`, { ...spec });
    }
    const logger = this.logger.child({ bed: spec.bedId, device: spec.deviceId });
    const device = createSimDevice(spec, bed.patient, { clock: this.clock, logger });
    const result = await this.startOutput(device, spec.listen, logger);
    bed.devices.set(spec.deviceId, device);
    device.sim.start();
    if (device.kind === 'pump') this.startPhysiologyTick();
    return result;
  }

  /** Adds another output to an existing device (e.g. TCP and serial at once). */
  async addOutput(bedId: string, deviceId: string, listen: SimulatedListen): Promise<{ port?: number }> {
    const device = this.device(bedId, deviceId);
    const parsed = listenSchema.safeParse(listen);
    if (!parsed.success) throw configInvalid('listen', parsed.error);
    return this.startOutput(device, parsed.data, this.logger.child({ bed: bedId, device: deviceId }));
  }

  /**
   * Triggers an event. Patient events go to the bed's patient (a device id, if given,
   * must exist); device and pump events need a device that has them. Throws VigilError
   * SIMULATOR_UNKNOWN for an unknown bed or device, SIMULATOR_EVENT_INVALID for a bad
   * event, SIMULATOR_EVENT_REFUSED when the pump refuses (keypad-start under an alarm).
   */
  trigger(bedId: string, deviceId: string | null, event: SimEvent | unknown): SimEvent {
    const bed = this.bed(bedId);
    const device = deviceId === null ? null : this.device(bedId, deviceId);
    const parsed = parseSimEvent(event);
    if (isPatientEvent(parsed)) {
      this.logger.info({ bed: bedId, event: parsed }, 'patient event');
      bed.patient.trigger(parsed);
    } else if (!device) {
      const known = [...bed.devices.keys()].join(', ') || 'none';
      throw new VigilError(
        'SIMULATOR_EVENT_INVALID',
        `"${parsed.type}" is a device event: it needs a device id (bed "${bedId}" has: ${known})`,
        { bedId, type: parsed.type },
      );
    } else if (device.kind === 'pump' && isPumpDeviceEvent(parsed)) {
      device.sim.handle(parsed);
    } else if (device.kind === 'oximeter' && isDeviceEvent(parsed)) {
      device.sim.handle(parsed);
    } else if (device.kind === 'oximeter' && device.sim instanceof NoninSimulator && isNoninEvent(parsed)) {
      device.sim.handle(parsed);
    } else if (device.kind === 'monitor' && isMonitorEvent(parsed)) {
      device.sim.handle(parsed);
    } else {
      throw new VigilError(
        'SIMULATOR_EVENT_INVALID',
        `"${parsed.type}" is not an event of ${bedId}/${device.spec.deviceId} (${device.spec.model}, ${{ pump: 'a pump', oximeter: 'an oximeter', monitor: 'a monitor' }[device.kind]})`,
        { bedId, deviceId, type: parsed.type },
      );
    }
    return parsed;
  }

  /** Every simulated device with its state. */
  list(): SimulatedDeviceInfo[] {
    const rows: SimulatedDeviceInfo[] = [];
    for (const [bedId, bed] of this.beds) {
      for (const [deviceId, d] of bed.devices) {
        const { mode, secondsLeft } = d.sim.mode();
        const parts = [
          ...(secondsLeft === null ? [] : [`${secondsLeft} s left`]),
          ...(d.kind === 'pump' || d.kind === 'monitor' ? [d.sim.describe()] : []),
          d.outputs.map((o) => o.detail()).join(', '),
        ];
        rows.push({
          bedId, deviceId, model: d.spec.model, listen: d.outputs.map((o) => o.description).join(', '), state: mode,
          detail: parts.join('; '),
        });
      }
    }
    return rows;
  }

  /** A bed's patient now: vitals (noise included), effects, ketamine concentrations, and its pumps. */
  describeBed(bedId: string): SimulatedBedInfo {
    const bed = this.bed(bedId);
    const { patient } = bed;
    const drug = patient.drugNow();
    const pumps: SimulatedBedInfo['pumps'] = [];
    for (const [deviceId, d] of bed.devices) {
      if (d.kind !== 'pump') continue;
      const s = d.sim.state();
      const doseMgPerKgPerHour = s.running ? (s.rateMlPerHour * s.concentrationMgPerMl) / patient.weightKg : 0;
      pumps.push({ deviceId, ...s, doseMgPerKgPerHour });
    }
    return { bedId, vitals: patient.vitalsNow(), effects: patient.describeEffects(), drug, pumps };
  }

  /** Write commands (anything but the three read queries) a simulated pump received: for tests. */
  pumpWriteCommandCount(bedId: string, deviceId: string): number {
    return this.pump(bedId, deviceId).writeCommandCount();
  }

  /** Commands a simulated Asena pump received, by kind (valid CRC, refused ones included): for tests. */
  pumpCommandCounts(bedId: string, deviceId: string): Readonly<Record<SimCommandKind, number>> {
    const sim = this.pump(bedId, deviceId);
    if (sim instanceof Ne1000SimDevice) {
      throw new VigilError('SIMULATOR_UNKNOWN', `simulated pump ${bedId}/${deviceId} is an NE-1000: use pumpWriteCommandCount`, { bedId, deviceId });
    }
    if (sim instanceof ModbusPumpSimDevice) {
      throw new VigilError('SIMULATOR_UNKNOWN', `simulated pump ${bedId}/${deviceId} is a Modbus pump: use modbusPumpWriteCounts`, { bedId, deviceId });
    }
    return sim.commandCounts();
  }

  /** Write requests a simulated Modbus pump received, by target register (refused ones included): for tests. */
  modbusPumpWriteCounts(bedId: string, deviceId: string): Readonly<Record<PumpWriteKind, number>> {
    const sim = this.pump(bedId, deviceId);
    if (sim instanceof ModbusPumpSimDevice) return sim.writeCounts();
    throw new VigilError('SIMULATOR_UNKNOWN', `simulated pump ${bedId}/${deviceId} is not a Modbus pump`, { bedId, deviceId });
  }

  /** Starts the HTTP control API; returns the bound port (port 0 allowed). */
  async startControlServer(host: string, port: number): Promise<number> {
    if (this.control) throw new VigilError('CONFIG_INVALID', 'simulator control server already running', { host, port });
    this.control = await startControlServer(this, { host, port, logger: this.logger.child({ component: 'sim-control' }) });
    return this.control.port;
  }

  /** Stops every device, output and the control server. */
  async stop(): Promise<void> {
    if (this.physiologyTimer) clearInterval(this.physiologyTimer);
    this.physiologyTimer = null;
    const closing: Array<Promise<void>> = [];
    for (const bed of this.beds.values()) {
      for (const d of bed.devices.values()) {
        d.sim.stop();
        closing.push(...d.outputs.map((o) => o.stop()));
      }
    }
    if (this.control) closing.push(this.control.close());
    this.control = null;
    this.beds.clear();
    await Promise.all(closing);
  }

  private async startOutput(device: SimDevice, listen: SimulatedListen, logger: Logger): Promise<{ port?: number }> {
    const output = createOutput(device, listen, { logger, serialReopenDelayMs: this.serialReopenDelayMs });
    const result = await output.start();
    device.outputs.push(output);
    device.sim.attach(output);
    return result;
  }

  /** Keeps the drug models of beds with a pump current even when no device reads the patient. */
  private startPhysiologyTick(): void {
    if (this.physiologyTimer) return;
    this.physiologyTimer = setInterval(() => {
      for (const bed of this.beds.values()) {
        try {
          bed.patient.syncDrug();
        } catch (err) {
          this.logger.error({ err }, 'physiology tick failed');
        }
      }
    }, PHYSIOLOGY_TICK_MS);
    this.physiologyTimer.unref();
  }

  private bed(bedId: string): SimBed {
    const bed = this.beds.get(bedId);
    if (bed) return bed;
    const known = [...this.beds.keys()].join(', ') || 'none';
    throw new VigilError('SIMULATOR_UNKNOWN', `unknown simulated bed "${bedId}" (known: ${known})`, { bedId });
  }

  private device(bedId: string, deviceId: string): SimDevice {
    const device = this.bed(bedId).devices.get(deviceId);
    if (device) return device;
    const known = [...this.bed(bedId).devices.keys()].join(', ') || 'none';
    throw new VigilError('SIMULATOR_UNKNOWN', `unknown simulated device "${deviceId}" in bed "${bedId}" (known: ${known})`, {
      bedId, deviceId,
    });
  }

  private pump(bedId: string, deviceId: string): Extract<SimDevice, { kind: 'pump' }>['sim'] {
    const device = this.device(bedId, deviceId);
    if (device.kind === 'pump') return device.sim;
    throw new VigilError('SIMULATOR_UNKNOWN', `simulated device ${bedId}/${deviceId} is not a pump (${device.spec.model})`, {
      bedId, deviceId,
    });
  }
}
