import type { Clock } from '../src/core/clock.js';
import type { Logger } from '../src/core/logger.js';
import { AsenaSimDevice } from './alaris-asena/asena-sim-device.js';
import { RadicalSimulator } from './masimo-radical/radical-simulator.js';
import { NoninSimulator } from './nonin/nonin-simulator.js';
import { ModbusPumpSimDevice } from './modbus-pump/modbus-pump-sim-device.js';
import { ModbusMonitorSim } from './modbus-monitor/modbus-monitor-sim.js';
import { Ne1000SimDevice } from './ne1000/ne1000-sim-device.js';
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
  | { readonly kind: 'oximeter'; readonly sim: RadicalSimulator | NoninSimulator }
  | { readonly kind: 'pump'; readonly sim: AsenaSimDevice | ModbusPumpSimDevice | Ne1000SimDevice }
  | { readonly kind: 'monitor'; readonly sim: ModbusMonitorSim }
);

/**
 * Builds the device of a validated spec for its bed's patient. A pump infuses on the bed's
 * physiological time and feeds the patient what it delivers; the patient's drug model is
 * synced before every command and event that could change the delivery.
 */
export function createSimDevice(spec: SimulatedDeviceSpec, patient: VirtualPatient, deps: { clock: Clock; logger: Logger }): SimDevice {
  const seed = hash32(patient.seed, seedFromString(spec.deviceId));
  const idHash = seedFromString(`${spec.bedId}/${spec.deviceId}`);
  if (spec.pump && spec.model === 'modbus-syringe-pump') {
    const sim = new ModbusPumpSimDevice({
      serial: spec.serialNumber ?? `MB-${String(idHash % 100_000).padStart(5, '0')}`,
      setup: spec.pump, clock: deps.clock, pumpClock: scaledClock(deps.clock, patient.timeScale), logger: deps.logger, seed,
      beforeChange: () => patient.syncDrug(), unitId: spec.unitId,
    });
    patient.addInfusion(sim.infusionSource(spec.deviceId));
    return { kind: 'pump', spec, sim, outputs: [] };
  }
  if (spec.model === 'modbus-monitor') {
    const sim = new ModbusMonitorSim({
      patient, clock: deps.clock, logger: deps.logger, seed, unitId: spec.unitId,
      nibpIntervalSeconds: spec.monitor?.nibpIntervalSeconds, measureNibpAtStart: spec.monitor?.nibpAtStart,
    });
    return { kind: 'monitor', spec, sim, outputs: [] };
  }
  if (spec.pump && spec.model === 'ne1000') {
    const sim = new Ne1000SimDevice({
      setup: spec.pump, serial: spec.serialNumber ?? `NE1000-${String(idHash % 100_000).padStart(5, '0')}`, watchdogSeconds: spec.ne1000?.watchdogSeconds, address: spec.ne1000?.address, clock: deps.clock,
      pumpClock: scaledClock(deps.clock, patient.timeScale), logger: deps.logger, seed, beforeChange: () => patient.syncDrug(),
    });
    patient.addInfusion(sim.infusionSource(spec.deviceId));
    return { kind: 'pump', spec, sim, outputs: [] };
  }
  if (spec.pump) {
    const sim = new AsenaSimDevice({
      serial: spec.serialNumber ?? `8002-${String(idHash % 100_000).padStart(5, '0')}`,
      setup: spec.pump, clock: deps.clock, pumpClock: scaledClock(deps.clock, patient.timeScale), logger: deps.logger, seed,
      beforeChange: () => patient.syncDrug(),
    });
    patient.addInfusion(sim.infusionSource(spec.deviceId));
    return { kind: 'pump', spec, sim, outputs: [] };
  }
  if (spec.model === 'nonin' || spec.model === 'nonin-format-2') {
    const format = spec.model === 'nonin' ? 7 : 2;
    return { kind: 'oximeter', spec, sim: new NoninSimulator({ format, patient, clock: deps.clock, logger: deps.logger, seed }), outputs: [] };
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
  // A Modbus device serves its slave: TCP = Modbus TCP, serial = Modbus RTU.
  if (device.kind === 'monitor') return device.sim.createOutput(listen, { logger: deps.logger, reopenDelayMs: deps.serialReopenDelayMs });
  if (device.sim instanceof ModbusPumpSimDevice) return device.sim.createOutput(listen, { logger: deps.logger, reopenDelayMs: deps.serialReopenDelayMs });
  if (listen.kind === 'tcp') {
    return new TcpDeviceServer(listen.host, listen.port, deps.logger, device.kind === 'pump' ? { maxClients: 1 } : {});
  }
  return new SerialDeviceOutput({ path: listen.path, baudRate: listen.baudRate, logger: deps.logger, reopenDelayMs: deps.serialReopenDelayMs });
}
