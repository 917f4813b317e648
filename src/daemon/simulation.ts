import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import type { VigilConfig } from '../config/schema.js';
import { parseTransportUrl } from '../transport/transport-url.js';
import { SimulatorHost, type SimulatedModel } from '../../simulators/sim-host.js';

export interface RunningSimulation {
  readonly controlUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the simulators the configuration names, each listening at its device's
 * transport address, so the daemon reaches them exactly as it reaches hardware.
 */
export async function startSimulation(config: VigilConfig, logger: Logger, clock: Clock): Promise<RunningSimulation> {
  const host = new SimulatorHost({ logger, clock });
  try {
    for (const bed of config.beds) {
      host.addBed(bed.id, {
        ...(bed.patient.seed !== undefined ? { seed: bed.patient.seed } : {}),
        ...(bed.infusion ? { weightKg: bed.infusion.patientWeightKg } : {}),
        timeScale: bed.patient.timeScale,
        ...(bed.patient.baseline ? { baseline: bed.patient.baseline } : {}),
        ...(bed.patient.ketamine ? { ketamine: bed.patient.ketamine } : {}),
      });
      for (const device of bed.devices) {
        if (!device.simulator) continue;
        const spec = parseTransportUrl(device.transport);
        if (spec.kind !== 'tcp') continue; // rejected by the config schema; kept as a guard
        await host.addDevice({
          bedId: bed.id,
          deviceId: device.id,
          model: device.simulator.model as SimulatedModel,
          ...(device.simulator.serialNumber ? { serialNumber: device.simulator.serialNumber } : {}),
          ...(device.simulator.unitId !== undefined ? { unitId: device.simulator.unitId } : {}),
          ...(device.simulator.monitor ? { monitor: device.simulator.monitor } : {}),
          ...(device.simulator.ne1000 ? { ne1000: device.simulator.ne1000 } : {}),
          ...(device.simulator.pump && bed.infusion
            ? { pump: { concentrationMgPerMl: bed.infusion.concentrationMgPerMl, ...device.simulator.pump } }
            : {}),
          listen: { kind: 'tcp', host: spec.host, port: spec.port },
        });
      }
    }
    const port = await host.startControlServer(config.simulation.controlHost, config.simulation.controlPort);
    const controlUrl = `http://${config.simulation.controlHost}:${port}`;
    logger.info({ controlUrl, simulators: host.list().length }, 'simulators started');
    return { controlUrl, stop: () => host.stop() };
  } catch (err) {
    await host.stop();
    throw err;
  }
}
