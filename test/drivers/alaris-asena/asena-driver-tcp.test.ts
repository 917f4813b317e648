import { afterEach, describe, expect, it } from 'vitest';
import { filter, map, type Observable } from 'rxjs';
import { GatewayBus } from '../../../src/bus/gateway-bus.js';
import type { DeviceStatus } from '../../../src/model/device-events.js';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { TcpTransport } from '../../../src/transport/tcp-transport.js';
import { alarisAsenaDriver, asenaOptionsSchema, type AsenaDriver } from '../../../drivers/alaris-asena/asena-driver.js';
import { AsenaPumpModel } from '../../../simulators/alaris-asena/pump-model.js';
import { AsenaProtocolHandler } from '../../../simulators/alaris-asena/protocol-handler.js';
import { serveAsenaPump, type AsenaTcpServer } from '../../../simulators/alaris-asena/tcp-server.js';
import { waitFor } from '../../helpers/wait-for.js';

const WAIT_MS = 8000;

describe('Asena driver against the simulator over a real TCP socket', () => {
  let server: AsenaTcpServer | undefined;
  let driver: AsenaDriver | undefined;
  afterEach(async () => {
    await driver?.stop();
    await server?.close();
    driver = undefined;
    server = undefined;
  });

  it('reads, follows alarms, keypad changes, silence, corruption and a cut line, and never writes', async () => {
    const pump = new AsenaPumpModel({ clock: systemClock, serial: '8002-51740', rateMlPerHour: 5, nearEndSeconds: 0 });
    const handler = new AsenaProtocolHandler(pump);
    server = await serveAsenaPump(handler, { port: 0 });
    pump.start();

    const bus = new GatewayBus();
    const logger = silentLogger();
    driver = alarisAsenaDriver.create({
      bedId: 'bed-1', deviceId: 'pump-1', bus, logger, clock: systemClock,
      transport: new TcpTransport({ host: '127.0.0.1', port: server.port }, { logger, reconnect: { initialDelayMs: 50, maxDelayMs: 200, factor: 2, jitter: 0 } }),
      options: asenaOptionsSchema.parse({ pollIntervalMs: 500, responseTimeoutMs: 300, communicationLostAfterMs: 1500 }),
    });
    const status$ = bus.status$;
    let latest: DeviceStatus | undefined;
    status$.subscribe((st) => (latest = st));
    const condition = (code: string, active: boolean): Observable<unknown> =>
      bus.conditions$.pipe(filter((c) => c.code === code && c.active === active));
    const rate$ = bus.observations$.pipe(filter((o) => o.metric === 'pump-rate'), map((o) => o.value));

    const receiving = waitFor(status$, (s) => s.data === 'receiving' && s.identity?.serial === '8002-51740', WAIT_MS, 'receiving with serial');
    const firstRate = waitFor(rate$, (v) => v === 5, WAIT_MS, 'rate 5 mL/h');
    driver.start();
    await receiving;
    await firstRate;

    const change = waitFor(driver.localChanges$, (c) => c.kind === 'rate' && c.before === 5 && c.after === 8, WAIT_MS, 'keypad rate change');
    pump.setRateAtPump(8);
    await change;

    const occluded = waitFor(condition('OCCLUSION', true), () => true, WAIT_MS, 'OCCLUSION start');
    const stopped = waitFor(driver.pumpState$, (s) => s.run === 'stopped' && s.fresh, WAIT_MS, 'pump stopped');
    handler.inject('occlusion');
    await occluded;
    await stopped;
    const cleared = waitFor(condition('OCCLUSION', false), () => true, WAIT_MS, 'OCCLUSION end');
    handler.clear('occlusion');
    await cleared;

    const silent = waitFor(status$, (s) => s.data === 'silent', WAIT_MS, 'silent');
    handler.inject('silence');
    await silent;
    const back = waitFor(status$, (s) => s.data === 'receiving', WAIT_MS, 'receiving after silence');
    handler.clear('silence');
    await back;

    const rejectedBefore = latest?.counters.rejected ?? 0;
    const silentAgain = waitFor(status$, (s) => s.data === 'silent', WAIT_MS, 'silent on corrupt replies');
    handler.inject('corrupt-replies');
    const afterCorrupt = await silentAgain;
    expect(afterCorrupt.counters.rejected).toBeGreaterThan(rejectedBefore);
    handler.clear('corrupt-replies');
    await waitFor(status$, (s) => s.data === 'receiving', WAIT_MS, 'receiving after corruption');

    const serialReadsBefore = handler.commandCounts().INST_SERIALNO;
    const relinked = waitFor(status$, (s) => s.link === 'connecting', WAIT_MS, 'link lost');
    server.dropClient();
    await relinked;
    await waitFor(status$, (s) => s.link === 'open', WAIT_MS, 'link reopened');
    await waitFor(driver.pumpState$, (s) => s.fresh, WAIT_MS, 'fresh state after reconnect');
    expect(handler.commandCounts().INST_SERIALNO).toBe(serialReadsBefore + 1);

    expect(handler.writeCommandCount()).toBe(0);
    expect(handler.commandCounts().INF).toBeGreaterThan(5);
  });
});
