import { z } from 'zod';
import { systemClock, type Clock } from '../src/core/clock.js';
import { VigilError } from '../src/core/errors.js';
import type { Logger } from '../src/core/logger.js';
import { startControlServer, type ControlServer } from './control/control-server.js';
import { RadicalSimulator } from './masimo-radical/radical-simulator.js';
import type { RadicalModel } from './masimo-radical/radical-line.js';
import { hash32, seedFromString } from './patient/seeded-random.js';
import { patientSpecSchema, VirtualPatient, type PatientSpec } from './patient/virtual-patient.js';
import type { Vitals } from './patient/vitals.js';
import type { DeviceOutput } from './serve/device-output.js';
import { SerialDeviceOutput } from './serve/serial-device-output.js';
import { TcpDeviceServer } from './serve/tcp-device-server.js';
import { isPatientEvent, parseSimEvent, type SimEvent } from './sim-events.js';

export { simEventSchema, type SimEvent } from './sim-events.js';
export type { PatientSpec } from './patient/virtual-patient.js';

export const SIMULATED_MODELS = ['masimo-radical-7', 'masimo-radical-5', 'masimo-rad-8'] as const;
export type SimulatedModel = (typeof SIMULATED_MODELS)[number];

const RADICAL_MODEL: Record<SimulatedModel, RadicalModel> = {
  'masimo-radical-7': 'radical-7',
  'masimo-radical-5': 'radical-5',
  'masimo-rad-8': 'rad-8',
};

const listenSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('tcp'), host: z.string().min(1), port: z.number().int().min(0).max(65_535) }),
  z.strictObject({ kind: z.literal('serial'), path: z.string().min(1), baudRate: z.number().int().positive() }),
]);
export type SimulatedListen = z.infer<typeof listenSchema>;

const idSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - only (1-64)');

/** One simulated device. `serialNumber`: up to 10 letters/digits (default derived from the ids). */
export const simulatedDeviceSpecSchema = z.strictObject({
  bedId: idSchema,
  deviceId: idSchema,
  model: z.enum(SIMULATED_MODELS),
  serialNumber: z.string().regex(/^[A-Za-z0-9]{1,10}$/, 'up to 10 letters or digits').optional(),
  listen: listenSchema,
});
export type SimulatedDeviceSpec = z.infer<typeof simulatedDeviceSpecSchema>;

/** One row of `list()`. */
export interface SimulatedDeviceInfo {
  bedId: string;
  deviceId: string;
  model: SimulatedModel;
  /** Where it serves, e.g. `tcp://127.0.0.1:4101` (several joined by `, `). */
  listen: string;
  /** `streaming`, `sensor-off`, `silent` or `disconnected`. */
  state: string;
  /** Time left of a timed fault and the outputs' state, e.g. `12 s left; 1 client`. */
  detail: string;
}

interface SimDevice { spec: SimulatedDeviceSpec; sim: RadicalSimulator; outputs: DeviceOutput[] }
interface SimBed { patient: VirtualPatient; devices: Map<string, SimDevice> }

function configInvalid(what: string, error: z.ZodError): VigilError {
  const detail = error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
  return new VigilError('CONFIG_INVALID', `${what}: ${detail}`, { issues: error.issues });
}

/**
 * Runs virtual patients (one per bed) and simulated devices serving real bytes over TCP
 * or serial; the daemon and `vigil sim` drive it, and its control API triggers events.
 */
export class SimulatorHost {
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly beds = new Map<string, SimBed>();
  private control: ControlServer | null = null;
  private readonly serialReopenDelayMs: number | undefined;

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
    const serialNumber = spec.serialNumber ?? String(seedFromString(`${spec.bedId}/${spec.deviceId}`) % 1e10);
    const logger = this.logger.child({ bed: spec.bedId, device: spec.deviceId });
    const sim = new RadicalSimulator({
      model: RADICAL_MODEL[spec.model], serialNumber, patient: bed.patient, clock: this.clock, logger,
      seed: hash32(bed.patient.seed, seedFromString(spec.deviceId)),
    });
    const device: SimDevice = { spec, sim, outputs: [] };
    const result = await this.startOutput(device, spec.listen, logger);
    bed.devices.set(spec.deviceId, device);
    sim.start();
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
   * must exist); device events need a device. Throws VigilError SIMULATOR_UNKNOWN for
   * an unknown bed or device, SIMULATOR_EVENT_INVALID for a bad event. Returns the event.
   */
  trigger(bedId: string, deviceId: string | null, event: SimEvent | unknown): SimEvent {
    const bed = this.bed(bedId);
    const device = deviceId === null ? null : this.device(bedId, deviceId);
    const parsed = parseSimEvent(event);
    if (isPatientEvent(parsed)) {
      this.logger.info({ bed: bedId, event: parsed }, 'patient event');
      bed.patient.trigger(parsed);
    } else if (device) {
      device.sim.handle(parsed);
    } else {
      const known = [...bed.devices.keys()].join(', ') || 'none';
      throw new VigilError(
        'SIMULATOR_EVENT_INVALID',
        `"${parsed.type}" is a device event: it needs a device id (bed "${bedId}" has: ${known})`,
        { bedId, type: parsed.type },
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
        const outputs = d.outputs.map((o) => o.detail()).join(', ');
        rows.push({
          bedId, deviceId, model: d.spec.model, listen: d.outputs.map((o) => o.description).join(', '), state: mode,
          detail: secondsLeft === null ? outputs : `${secondsLeft} s left; ${outputs}`,
        });
      }
    }
    return rows;
  }

  /** A bed's patient now: vitals (noise included) and active effects. */
  describeBed(bedId: string): { bedId: string; vitals: Vitals; effects: string[] } {
    const patient = this.bed(bedId).patient;
    return { bedId, vitals: patient.vitalsNow(), effects: patient.describeEffects() };
  }

  /** Starts the HTTP control API; returns the bound port (port 0 allowed). */
  async startControlServer(host: string, port: number): Promise<number> {
    if (this.control) throw new VigilError('CONFIG_INVALID', 'simulator control server already running', { host, port });
    this.control = await startControlServer(this, { host, port, logger: this.logger.child({ component: 'sim-control' }) });
    return this.control.port;
  }

  /** Stops every device, output and the control server. */
  async stop(): Promise<void> {
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
    const output: DeviceOutput =
      listen.kind === 'tcp'
        ? new TcpDeviceServer(listen.host, listen.port, logger)
        : new SerialDeviceOutput({ path: listen.path, baudRate: listen.baudRate, logger, reopenDelayMs: this.serialReopenDelayMs });
    const result = await output.start();
    device.outputs.push(output);
    device.sim.attach(output);
    return result;
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
}
