import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { SerialTransport } from '../../../src/transport/serial-transport.js';
import { masimoAsciiDriver } from '../../../drivers/masimo-ascii/masimo-driver.js';
import { waitFor } from '../../helpers/wait-for.js';
import { LINES } from '../../fixtures/masimo/radical-lines.js';
import { createDriver, lastStatus } from '../../fixtures/masimo/driver-harness.js';
import { MockBinding, recordingBinding } from '../../helpers/mock-serial.js';

/**
 * The driver on a real SerialTransport over the serialport mock binding: the bytes go
 * through serialport's stream and the transport's reconnect loop, as on a real port.
 * Real timers; the silence timer is set long (60 s) so it never fires during the test.
 */

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()?.();
  MockBinding.reset();
});

async function startOnMockPort(path: string) {
  MockBinding.createPort(path, { echo: false, record: true });
  const { binding, opened } = recordingBinding();
  const { baudRate, dataBits, parity, stopBits } = masimoAsciiDriver.serialDefaults;
  const transport = new SerialTransport({ path, baudRate, dataBits, parity, stopBits }, { logger: silentLogger(), binding });
  const { driver, published, bus } = createDriver(transport, { communicationLostAfterMs: 60_000 });
  stops.push(() => driver.stop());
  driver.start();
  await waitFor(transport.status$, (s) => s.state === 'open', 5000, 'port open');
  const port = opened[0];
  if (port === undefined) throw new Error('port not opened');
  return { port, published, bus };
}

describe('masimo-ascii driver over SerialTransport + MockBinding', () => {
  it('turns device bytes, split anyhow and mixed with garbage, into observations, conditions and status', async () => {
    const { port, published, bus } = await startOnMockPort('/dev/ttyMASIMO1');
    expect(port.openOptions).toMatchObject({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });

    const stream = Buffer.from(`\u00ff\u0000noise\r\n${LINES.radical7}\r\n${LINES.spo2Low}\r`, 'latin1');
    port.emitData(stream.subarray(0, 37));
    port.emitData(stream.subarray(37, 150));
    port.emitData(stream.subarray(150));
    await waitFor(bus.conditions$, (c) => c.code === 'LOW_PERFUSION', 5000, 'LOW_PERFUSION start');

    const spo2 = published.observations.filter((o) => o.metric === 'spo2');
    expect(spo2.map((o) => [o.value, o.flags])).toEqual([
      [98, []],
      [84, ['questionable']],
    ]);
    expect(published.conditions.map((c) => `${c.active ? '+' : '-'}${c.code}`)).toEqual(['+SPO2_LOW', '+LOW_PERFUSION']);
    expect(lastStatus(published)).toMatchObject({
      driver: 'masimo-ascii',
      link: 'open',
      data: 'receiving',
      counters: { messages: 2, rejected: 1 },
      identity: { serial: '0000012345' },
      deviceAlarm: { alarming: true, silenced: false },
    });
  });

  it('never writes to the oximeter', async () => {
    const { port, bus } = await startOnMockPort('/dev/ttyMASIMO2');
    port.emitData(Buffer.from(`${LINES.radical5}\r\n${LINES.sensorOff}\r\n`, 'latin1'));
    await waitFor(bus.conditions$, (c) => c.code === 'SENSOR_OFF', 5000, 'SENSOR_OFF start');
    expect(port.recording.length).toBe(0);
  });
});
