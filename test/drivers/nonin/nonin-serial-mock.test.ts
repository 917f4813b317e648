import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { SerialTransport } from '../../../src/transport/serial-transport.js';
import { noninDriver } from '../../../drivers/nonin/nonin-driver.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createNoninDriver } from './nonin-harness.js';
import { badFrame, packet, packetFrames } from './nonin-fixtures.js';
import { MockBinding, recordingBinding } from '../../helpers/mock-serial.js';

/**
 * The driver on a real SerialTransport over the serialport mock binding: bytes go through
 * serialport's stream and the transport, as on a real port. Real timers; the silence
 * timer is long (60 s) so it never fires during the test.
 */

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()?.();
  MockBinding.reset();
});

async function startOnMockPort(path: string, options: Record<string, unknown> = {}) {
  MockBinding.createPort(path, { echo: false, record: true });
  const { binding, opened } = recordingBinding();
  const { baudRate, dataBits, parity, stopBits } = noninDriver.serialDefaults;
  const transport = new SerialTransport({ path, baudRate, dataBits, parity, stopBits }, { logger: silentLogger(), binding });
  const { driver, published, bus } = createNoninDriver(transport, { communicationLostAfterMs: 60_000, ...options }, {
    clock: { now: () => Date.now(), monotonic: () => performance.now() },
  });
  stops.push(() => driver.stop());
  driver.start();
  await waitFor(transport.status$, (s) => s.state === 'open', 5000, 'port open');
  const port = opened[0];
  if (port === undefined) throw new Error('port not opened');
  return { port, published, bus };
}

describe('nonin driver over SerialTransport + MockBinding', () => {
  it('reads packets split anyhow, with noise and a bad frame, at 9600 8N1', async () => {
    const { port, published, bus } = await startOnMockPort('/dev/ttyNONIN1');
    expect(port.openOptions).toMatchObject({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
    const second = packetFrames(7, { hr: 88, spo2: 93 });
    second[20] = badFrame(7, 0x80, 5, 0);
    const stream = Buffer.concat([Buffer.from([0x00, 0x7f, 0x12]), packet(7, { hr: 88, spo2: 93, status: (n) => (n === 5 ? 0x20 : 0) }), ...second]);
    port.emitData(stream.subarray(0, 61));
    port.emitData(stream.subarray(61, 190));
    port.emitData(stream.subarray(190));
    await waitFor(bus.waveforms$, (w) => w.firstSampleIndex === 26, 5000, 'second pleth chunk');

    expect(published.conditions.map((c) => `${c.active ? '+' : '-'}${c.code}`)).toEqual(['+ARTIFACT']);
    expect(published.observations.map((o) => [o.metric, o.value, o.flags])).toEqual([
      ['spo2', 93, ['questionable']],
      ['pulse-rate', 88, ['questionable']],
    ]);
    expect(published.waveforms.map((w) => [w.firstSampleIndex, w.samples.length, w.samples.filter((s) => s === null).length])).toEqual([
      [1, 25, 0],
      [26, 25, 1],
    ]);
    expect(published.statuses.at(-1)).toMatchObject({ driver: 'nonin', link: 'open', data: 'receiving' });
  });

  it('writes nothing by default', async () => {
    const { port, bus } = await startOnMockPort('/dev/ttyNONIN2');
    port.emitData(packet(7, { status: () => 0x40 }));
    await waitFor(bus.conditions$, (c) => c.code === 'SENSOR_DISCONNECT', 5000, 'SENSOR_DISCONNECT');
    expect(port.recording.length).toBe(0);
  });

  it('with setFormatOnConnect, writes exactly the "set data format" command', async () => {
    const { port, bus } = await startOnMockPort('/dev/ttyNONIN3', { format: 2, setFormatOnConnect: true });
    port.emitData(Buffer.concat([Buffer.from([0x06]), packet(2)]));
    await waitFor(bus.waveforms$, () => true, 5000, 'a pleth chunk');
    expect(Buffer.from(port.recording)).toEqual(Buffer.from([0x02, 0x70, 0x02, 0x02, 0x02, 0x03]));
  });
});
