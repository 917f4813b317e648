import type { Clock } from '../src/core/clock.js';
import type { Logger } from '../src/core/logger.js';
import { AsenaSimDevice } from './alaris-asena/asena-sim-device.js';
import { RadicalSimulator } from './masimo-radical/radical-simulator.js';
import type { RadicalModel } from './masimo-radical/radical-line.js';
import { scaledClock } from './patient/scaled-clock.js';
import { hash32, seedFromString } from './patient/seeded-random.js';
import type { VirtualPatient } from './patient/virtual-patient.js';
import type { DeviceOutput } from './serve/device-output.js';
import { SerialDeviceOutput } from './serve/serial-device-output.js';
import { TcpDeviceServer } from './serve/tcp-device-server.js';
import type { SimulatedDeviceSpec, SimulatedListen, SimulatedModel } from './sim-specs.js';

const RADICAL_MODEL: Partial<Record<SimulatedModel, RadicalModel>> = {
  'masimo-radical-7': 'radical-7',
  'masimo-radical-5': 'radical-5',
  'masimo-rad-8': 'rad-8',
};

/** A running simulated device of the host: an oximeter streaming lines, or a pump answering commands. */
export type SimDevice = { readonly spec: SimulatedDeviceSpec; readonly outputs: DeviceOutput[] } & (
  | { readonly kind: 'oximeter'; readonly sim: RadicalSimulator }
  | { readonly kind: 'pump'; readonly sim: AsenaSimDevice }
);

/**
 * Builds the device of a validated spec for its bed's patient. A pump infuses on the bed's
 * physiological time and feeds the patient what it delivers; the patient's drug model is
 * synced before every command and event that could change the delivery.
 */
export function createSimDevice(spec: SimulatedDeviceSpec, patient: VirtualPatient, deps: { clock: Clock; logger: Logger }): SimDevice {
  const seed = hash32(patient.seed, seedFromString(spec.deviceId));
  const idHash = seedFromString(`${spec.bedId}/${spec.deviceId}`);
  if (spec.pump) {
    const sim = new AsenaSimDevice({
      serial: spec.serialNumber ?? `8002-${String(idHash % 100_000).padStart(5, '0')}`,
      setup: spec.pump, clock: deps.clock, pumpClock: scaledClock(deps.clock, patient.timeScale), logger: deps.logger, seed,
      beforeChange: () => patient.syncDrug(),
    });
    patient.addInfusion(sim.infusionSource(spec.deviceId));
    return { kind: 'pump', spec, sim, outputs: [] };
  }
  const sim = new RadicalSimulator({
    model: RADICAL_MODEL[spec.model] ?? 'radical-7', serialNumber: spec.serialNumber ?? String(idHash % 1e10),
    patient, clock: deps.clock, logger: deps.logger, seed,
  });
  return { kind: 'oximeter', spec, sim, outputs: [] };
}

/** Opens an output for the device (a pump's TCP port takes one client, like its one RS-232 line). */
export function createOutput(
  device: SimDevice,
  listen: SimulatedListen,
  deps: { logger: Logger; serialReopenDelayMs?: number },
): DeviceOutput {
  if (listen.kind === 'tcp') {
    return new TcpDeviceServer(listen.host, listen.port, deps.logger, device.kind === 'pump' ? { maxClients: 1 } : {});
  }
  return new SerialDeviceOutput({ path: listen.path, baudRate: listen.baudRate, logger: deps.logger, reopenDelayMs: deps.serialReopenDelayMs });
}
