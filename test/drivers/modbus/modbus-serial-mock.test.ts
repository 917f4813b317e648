import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayBus } from '../../../src/bus/gateway-bus.js';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { DeviceStatus } from '../../../src/model/device-events.js';
import type { Observation } from '../../../src/model/observation.js';
import { SerialTransport } from '../../../src/transport/serial-transport.js';
import { createModbusDriver, modbusDriver, modbusOptionsSchema } from '../../../drivers/modbus/modbus-driver.js';
import { waitFor } from '../../helpers/wait-for.js';
import { splitRtuRequests, TestSlave } from './test-slave.js';
import { MockBinding, recordingBinding, type MockPort } from '../../helpers/mock-serial.js';

const MAP = resolve(import.meta.dirname, '../../fixtures/modbus-maps/test-monitor.yaml');

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()?.();
  MockBinding.reset();
});

describe('modbus driver over SerialTransport + MockBinding (RTU)', () => {
  it('opens the port at 19200 8E1, reads the map, and rejects a reply with a corrupted CRC', async () => {
    const path = '/dev/ttyMODBUS1';
    MockBinding.createPort(path, { echo: false, record: true });
    const { binding, opened } = recordingBinding();
    const { baudRate, dataBits, parity, stopBits } = modbusDriver.serialDefaults;
    const transport = new SerialTransport({ path, baudRate, dataBits, parity, stopBits }, { logger: silentLogger(), binding });
    const bus = new GatewayBus();
    const observations: Observation[] = [];
    bus.observations$.subscribe((o) => observations.push(o));
    const driver = createModbusDriver({
      bedId: 'bed-1', deviceId: 'monitor', transport, bus, logger: silentLogger(), clock: systemClock,
      options: modbusOptionsSchema.parse({ map: MAP, timeoutMs: 200 }),
    });
    stops.push(() => driver.stop());

    const slave = new TestSlave(17);
    slave.set('holding', 100, [72, 975, 3685, 0x421a, 0x0000, 14, 0, 0, 2345, 0, 0, 0]);
    slave.set('input', 200, [124, 80, 92, 0, 0, 0]);
    driver.start();
    await waitFor(transport.status$, (s) => s.state === 'open', 5000, 'port open');
    const port = opened[0] as MockPort;
    expect(port.openOptions).toMatchObject({ baudRate: 19_200, dataBits: 8, parity: 'even', stopBits: 1 });

    // Play the slave: answer every new request the driver wrote.
    let answered = 0;
    const timer = setInterval(() => {
      const requests = splitRtuRequests(port.recording);
      for (const request of requests.slice(answered)) {
        const reply = slave.answerRtu(Buffer.from(request));
        if (reply) port.emitData(reply);
      }
      answered = requests.length;
    }, 5);
    stops.push(() => clearInterval(timer));

    await waitFor(bus.observations$, (o) => o.metric === 'heart-rate' && o.value === 72, 5000, 'heart rate 72');
    expect(observations.find((o) => o.metric === 'temp-body')).toMatchObject({ value: 36.85, unit: 'Cel' });

    slave.set('holding', 100, [150]);
    slave.fault = 'bad-crc';
    const status = await waitFor(bus.status$, (s: DeviceStatus) => s.counters.rejected >= 2, 8000, 'corrupted replies counted');
    expect(status.lastError).toMatch(/no reply to read/);
    expect(observations.filter((o) => o.metric === 'heart-rate').map((o) => o.value)).not.toContain(150);

    slave.fault = 'none';
    await waitFor(bus.observations$, (o) => o.metric === 'heart-rate' && o.value === 150, 5000, 'heart rate 150 once the CRC is right');
  });
});
