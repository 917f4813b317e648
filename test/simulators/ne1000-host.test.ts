import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { filter } from 'rxjs';
import { GatewayBus } from '../../src/bus/gateway-bus.js';
import { ManualClock, systemClock } from '../../src/core/clock.js';
import { isVigilError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import { ne1000Driver, ne1000OptionsSchema, type Ne1000Driver } from '../../drivers/ne1000/ne1000-driver.js';
import { SimulatorHost } from '../../simulators/sim-host.js';
import { simulatedDeviceSpecSchema } from '../../simulators/sim-specs.js';
import { waitFor } from '../helpers/wait-for.js';

const MIN = 60_000;

describe('the NE-1000 in the SimulatorHost', () => {
  let host: SimulatorHost;
  let clock: ManualClock;
  let driver: Ne1000Driver | undefined;

  beforeEach(() => {
    clock = new ManualClock();
    host = new SimulatorHost({ logger: silentLogger(), clock });
  });
  afterEach(async () => {
    await driver?.stop();
    driver = undefined;
    await host.stop();
  });

  const start = async (): Promise<number> => {
    host.addBed('bed-2', { seed: 3, weightKg: 70 });
    const { port = 0 } = await host.addDevice({
      bedId: 'bed-2', deviceId: 'ne', model: 'ne1000', listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
      pump: { concentrationMgPerMl: 2, rateMlPerHour: 30, running: true }, ne1000: { watchdogSeconds: 30 },
    });
    return port;
  };

  it('serves the pump over TCP to the NE-1000 driver, feeds the patient, and takes its events', async () => {
    const port = await start();
    const bus = new GatewayBus();
    const logger = silentLogger();
    driver = ne1000Driver.create({
      bedId: 'bed-2', deviceId: 'ne', bus, logger, clock: systemClock,
      transport: new TcpTransport({ host: '127.0.0.1', port }, { logger, reconnect: { initialDelayMs: 50, maxDelayMs: 200, factor: 2, jitter: 0 } }),
      options: ne1000OptionsSchema.parse({ pollIntervalMs: 200 }),
    });
    driver.start();
    await waitFor(driver.pumpState$, (s) => s.fresh && s.run === 'infusing' && s.rateMlPerHour === 30 && s.watchdogSeconds === 30, 8000, 'pump read');

    clock.advance(20 * MIN); // physiological time: 10 mL at 30 mL/h
    await waitFor(driver.pumpState$, (s) => s.volumeInfusedMl === 10, 8000, '10 mL infused');
    const bed = host.describeBed('bed-2');
    expect(bed.drug.administeredMg).toBeCloseTo(20, 6);
    expect(bed.pumps[0]).toMatchObject({ deviceId: 'ne', running: true, rateMlPerHour: 30, concentrationMgPerMl: 2, remoteControl: false });

    const stalled = waitFor(bus.conditions$.pipe(filter((c) => c.code === 'PUMP_STALLED' && c.active)), () => true, 8000, 'PUMP_STALLED');
    host.trigger('bed-2', 'ne', { type: 'occlusion' });
    await stalled;
    expect(host.list().find((d) => d.deviceId === 'ne')).toMatchObject({ model: 'ne1000', state: 'answering' });
    expect(host.list().find((d) => d.deviceId === 'ne')?.detail).toMatch(/stopped .*watchdog 30 s/);

    expect(host.pumpWriteCommandCount('bed-2', 'ne')).toBe(0);
  });

  it('refuses events an NE-1000 does not have, and the ne1000 settings on other models', async () => {
    await start();
    let caught: unknown;
    try {
      host.trigger('bed-2', 'ne', { type: 'door-open' });
    } catch (err) {
      caught = err;
    }
    expect(isVigilError(caught, 'SIMULATOR_EVENT_INVALID')).toBe(true);
    const spec = {
      bedId: 'b', deviceId: 'd', model: 'alaris-asena-gh', listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
      pump: { concentrationMgPerMl: 1, rateMlPerHour: 1 }, ne1000: { watchdogSeconds: 5 },
    };
    expect(simulatedDeviceSpecSchema.safeParse(spec).success).toBe(false);
    expect(simulatedDeviceSpecSchema.safeParse({ ...spec, model: 'ne1000' }).success).toBe(true);
    expect(simulatedDeviceSpecSchema.safeParse({ ...spec, model: 'ne1000', ne1000: { watchdogSeconds: 0 } }).success).toBe(false);
  });
});
