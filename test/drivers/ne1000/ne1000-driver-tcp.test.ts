import { afterEach, describe, expect, it } from 'vitest';
import { filter, skip } from 'rxjs';
import { GatewayBus } from '../../../src/bus/gateway-bus.js';
import type { DeviceStatus } from '../../../src/model/device-events.js';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { TcpTransport } from '../../../src/transport/tcp-transport.js';
import { ne1000Driver, ne1000OptionsSchema, type Ne1000Driver } from '../../../drivers/ne1000/ne1000-driver.js';
import { Ne1000SimDevice } from '../../../simulators/ne1000/ne1000-sim-device.js';
import { TcpDeviceServer } from '../../../simulators/serve/tcp-device-server.js';
import { waitFor } from '../../helpers/wait-for.js';

const WAIT_MS = 10_000;

describe('NE-1000 driver against the simulator over a real TCP socket', () => {
  let server: TcpDeviceServer | undefined;
  let sim: Ne1000SimDevice | undefined;
  let driver: Ne1000Driver | undefined;
  afterEach(async () => {
    await driver?.stop();
    sim?.stop();
    await server?.stop();
    driver = undefined;
    sim = undefined;
    server = undefined;
  });

  it('keeps the watchdog fed while the link is up; a cut longer than the watchdog stops the pump, and the driver reports PUMP_WATCHDOG_STOPPED when the link returns', async () => {
    const logger = silentLogger();
    sim = new Ne1000SimDevice({
      setup: { concentrationMgPerMl: 10, rateMlPerHour: 6, running: true }, watchdogSeconds: 2,
      clock: systemClock, pumpClock: systemClock, logger, seed: 7,
    });
    server = new TcpDeviceServer('127.0.0.1', 0, logger, { maxClients: 1 });
    const { port } = await server.start();
    sim.attach(server);

    const bus = new GatewayBus();
    let latest: DeviceStatus | undefined;
    bus.status$.subscribe((s) => (latest = s));
    driver = ne1000Driver.create({
      bedId: 'bed-2', deviceId: 'pump-ne', bus, logger, clock: systemClock,
      transport: new TcpTransport({ host: '127.0.0.1', port }, { logger, reconnect: { initialDelayMs: 50, maxDelayMs: 200, factor: 2, jitter: 0 } }),
      options: ne1000OptionsSchema.parse({ pollIntervalMs: 300, responseTimeoutMs: 300, communicationLostAfterMs: 1500 }),
    });
    const watchdogStopped = (active: boolean) =>
      bus.conditions$.pipe(filter((c) => c.code === 'PUMP_WATCHDOG_STOPPED' && c.active === active));

    const ready = waitFor(driver.pumpState$, (s) => s.fresh && s.run === 'infusing' && s.rateMlPerHour === 6 && s.watchdogSeconds === 2, WAIT_MS, 'pump read');
    driver.start();
    await ready;

    // Healthy link: twelve more rate polls (well over one 2 s watchdog period) and the pump runs on.
    await waitFor(bus.observations$.pipe(filter((o) => o.metric === 'pump-rate'), skip(11)), () => true, WAIT_MS, '12 rate polls');
    expect(sim.state()).toMatchObject({ running: true, watchdogTrips: 0, alarm: null });

    // The line is cut for 4 s: no valid packet reaches the pump within its 2 s watchdog.
    const raised = waitFor(watchdogStopped(true), () => true, WAIT_MS, 'PUMP_WATCHDOG_STOPPED raised');
    sim.handle({ type: 'disconnect', seconds: 4 });
    await waitFor(bus.status$, (s) => s.link !== 'open', WAIT_MS, 'link lost');
    const condition = await raised;
    expect(condition).toMatchObject({ bedId: 'bed-2', deviceId: 'pump-ne', kind: 'technical' });
    expect(sim.state()).toMatchObject({ running: false, watchdogTrips: 1 });
    expect(latest?.link).toBe('open');

    // Still raised while the pump stands stopped (the poll acknowledged the pump's alarm).
    await waitFor(driver.pumpState$, (s) => s.fresh && s.run === 'stopped', WAIT_MS, 'pump reported stopped');
    expect(sim.state().alarm).toBeNull();
    expect(sim.state().running).toBe(false);

    // Only a nurse at the pump ends it.
    const ended = waitFor(watchdogStopped(false), () => true, WAIT_MS, 'PUMP_WATCHDOG_STOPPED ended');
    sim.handle({ type: 'keypad-start' });
    await ended;

    expect(sim.writeCommandCount()).toBe(0);
    expect(sim.commandCounts().VER).toBeGreaterThanOrEqual(2); // read again after the reconnect
  });
});
