import { afterEach, describe, expect, it } from 'vitest';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { DeviceDriver } from '../../../src/device/device-driver.js';
import { TcpTransport } from '../../../src/transport/tcp-transport.js';
import { SimulatorHost } from '../../../simulators/sim-host.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createNoninDriver } from './nonin-harness.js';

/**
 * The driver against the Nonin simulator of the SimulatorHost over a real TCP socket on
 * 127.0.0.1 (a terminal-server port carries the same bytes as the RS-232 line). Real time:
 * waits are for events, with timeouts.
 */

const WAIT_MS = 8000;
const logger = silentLogger();
let host: SimulatorHost | undefined;
let driver: DeviceDriver | undefined;

afterEach(async () => {
  await driver?.stop();
  await host?.stop();
  driver = host = undefined;
});

async function start(model: 'nonin' | 'nonin-format-2', options: Record<string, unknown>) {
  host = new SimulatorHost({ logger });
  host.addBed('bed-2', { seed: 3 });
  const { port } = await host.addDevice({ bedId: 'bed-2', deviceId: 'oxi', model, listen: { kind: 'tcp', host: '127.0.0.1', port: 0 } });
  const transport = new TcpTransport(
    { host: '127.0.0.1', port: port as number },
    { logger, reconnect: { initialDelayMs: 50, maxDelayMs: 200, factor: 2, jitter: 0 } },
  );
  const created = createNoninDriver(transport, options, { clock: systemClock, logger });
  driver = created.driver;
  return { ...created, host };
}

describe('nonin driver against the simulator over TCP', () => {
  it('reads SpO2, pulse rate and a gapless pleth; follows sensor-off, bad checksums and silence', async () => {
    const { bus, published, host } = await start('nonin', { communicationLostAfterMs: 1000 });
    const chunks = firstValueFrom(bus.waveforms$.pipe(filter((w) => w.firstSampleIndex > 0), take(4), toArray()));
    const spo2 = waitFor(bus.observations$, (o) => o.metric === 'spo2', WAIT_MS, 'an SpO2 value');
    const pulse = waitFor(bus.observations$, (o) => o.metric === 'pulse-rate', WAIT_MS, 'a pulse rate');
    driver?.start();
    // The patient's baseline: SpO2 97 +-1, pulse 72 +-3 (simulators/README.md).
    expect((await spo2).value).toBeGreaterThanOrEqual(95);
    expect((await spo2).value).toBeLessThanOrEqual(99);
    expect((await pulse).value).toBeGreaterThanOrEqual(68);
    expect((await pulse).value).toBeLessThanOrEqual(76);

    const run = await chunks;
    for (let i = 1; i < run.length; i++) {
      expect(run[i]?.firstSampleIndex).toBe(run[i - 1]!.firstSampleIndex + run[i - 1]!.samples.length);
    }
    for (const c of run) {
      expect(c).toMatchObject({ metric: 'pleth', sampleRateHz: 75, range: { min: 0, max: 65_535 } });
      expect(c.samples).toHaveLength(25);
      expect(c.samples.every((s) => typeof s === 'number')).toBe(true);
    }
    expect(new Set(run.flatMap((c) => c.samples)).size).toBeGreaterThan(10);

    host.trigger('bed-2', 'oxi', { type: 'bad-checksum', frames: 3 });
    const off = waitFor(bus.conditions$, (c) => c.code === 'SENSOR_DISCONNECT' && c.active, WAIT_MS, 'SENSOR_DISCONNECT start');
    const unavailable = waitFor(bus.observations$, (o) => o.metric === 'spo2' && o.value === null, WAIT_MS, 'SpO2 unavailable');
    const flat = waitFor(bus.waveforms$, (w) => w.samples.every((s) => s === null), WAIT_MS, 'a null pleth chunk');
    host.trigger('bed-2', 'oxi', { type: 'sensor-off' });
    await off;
    expect((await unavailable).flags).toEqual(['unavailable']);
    await flat;

    const on = waitFor(bus.conditions$, (c) => c.code === 'SENSOR_DISCONNECT' && !c.active, WAIT_MS, 'SENSOR_DISCONNECT end');
    host.trigger('bed-2', 'oxi', { type: 'resume' });
    await on;

    const silent = waitFor(bus.status$, (s) => s.data === 'silent', WAIT_MS, 'silent');
    host.trigger('bed-2', 'oxi', { type: 'silence' });
    const status = await silent;
    expect(status.link).toBe('open');
    expect(status.counters.rejected).toBe(3);
    expect(status.counters.messages).toBeGreaterThan(150);

    const back = waitFor(bus.status$, (s) => s.data === 'receiving', WAIT_MS, 'receiving again');
    host.trigger('bed-2', 'oxi', { type: 'resume' });
    await back;
    expect(published.statuses.every((s) => s.driver === 'nonin')).toBe(true);
  });

  it('setFormatOnConnect turns a format #2 oximeter to format #7', async () => {
    const { bus, host } = await start('nonin-format-2', { format: 7, setFormatOnConnect: true });
    const wide = waitFor(bus.waveforms$, (w) => w.samples.some((s) => s !== null && s > 255), WAIT_MS, 'a 16-bit pleth sample');
    const spo2 = waitFor(bus.observations$, (o) => o.metric === 'spo2' && o.value !== null, WAIT_MS, 'an SpO2 value');
    driver?.start();
    await wide;
    await spo2;
    expect(host.list()[0]).toMatchObject({ model: 'nonin-format-2', state: 'streaming' });
  });
});
