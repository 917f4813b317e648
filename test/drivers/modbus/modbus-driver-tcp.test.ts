import { createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayBus } from '../../../src/bus/gateway-bus.js';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { Observation } from '../../../src/model/observation.js';
import { TcpTransport } from '../../../src/transport/tcp-transport.js';
import { createModbusDriver, modbusOptionsSchema } from '../../../drivers/modbus/modbus-driver.js';
import { waitFor } from '../../helpers/wait-for.js';
import { splitRtuRequests, TestSlave } from './test-slave.js';

/**
 * The Modbus driver through the real TcpTransport to a small slave on 127.0.0.1 (port 0):
 * Modbus TCP (MBAP), and RTU frames over raw TCP as a terminal server carries them.
 */
const MAP = resolve(import.meta.dirname, '../../fixtures/modbus-maps/test-monitor.yaml');

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()?.();
});

/** A TCP slave: `framing` says how requests and replies are framed on the socket. */
async function startSlave(slave: TestSlave, framing: 'tcp' | 'rtu'): Promise<{ port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      if (framing === 'tcp') {
        while (pending.length >= 6 && pending.length >= 6 + pending.readUInt16BE(4)) {
          const adu = pending.subarray(0, 6 + pending.readUInt16BE(4));
          pending = pending.subarray(adu.length);
          const reply = slave.answerTcp(Buffer.from(adu));
          if (reply) socket.write(reply);
        }
      } else {
        const frames = splitRtuRequests(pending);
        pending = pending.subarray(frames.reduce((n, f) => n + f.length, 0));
        for (const f of frames) {
          const reply = slave.answerRtu(Buffer.from(f));
          if (reply) socket.write(reply);
        }
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  stops.push(
    () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
  );
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, sockets };
}

function startDriver(port: number, framing: 'tcp' | 'rtu') {
  const transport = new TcpTransport({ host: '127.0.0.1', port }, {
    logger: silentLogger(),
    reconnect: { initialDelayMs: 50, maxDelayMs: 200, factor: 2, jitter: 0 },
  });
  const bus = new GatewayBus();
  const observations: Observation[] = [];
  bus.observations$.subscribe((o) => observations.push(o));
  const driver = createModbusDriver({
    bedId: 'bed-1', deviceId: 'monitor', transport, bus, logger: silentLogger(), clock: systemClock,
    options: modbusOptionsSchema.parse({ map: MAP, framing }),
  });
  stops.push(() => driver.stop());
  driver.start();
  return { bus, observations };
}

function loadedSlave(): TestSlave {
  const slave = new TestSlave(17);
  slave.set('holding', 100, [64, 981, 3702, 0x4218, 0x0000, 12, 0, 0, 1500, 0, 0, 0]);
  slave.set('input', 200, [118, 76, 90, 0, 0x6955, 0xb900]);
  return slave;
}

describe('modbus driver over TcpTransport', () => {
  it('reads a Modbus TCP slave and reconnects when the connection drops', async () => {
    const slave = loadedSlave();
    const { port, sockets } = await startSlave(slave, 'tcp');
    const { bus, observations } = startDriver(port, 'tcp');
    const seen = (metric: string) => observations.filter((o) => o.metric === metric);
    await waitFor(bus.observations$, () => seen('nibp-sys').length > 0 && seen('etco2').length > 0, 5000, 'both groups read');
    expect(observations.find((o) => o.metric === 'heart-rate')).toMatchObject({ value: 64, unit: '/min' });
    expect(observations.find((o) => o.metric === 'etco2')).toMatchObject({ value: 38, unit: 'mm[Hg]' });
    expect(observations.find((o) => o.metric === 'nibp-sys')).toMatchObject({ value: 118, deviceTime: 1_767_225_600_000 });

    for (const s of sockets) s.destroy();
    slave.set('holding', 100, [99]);
    await waitFor(bus.observations$, (o) => o.metric === 'heart-rate' && o.value === 99, 5000, 'reading after reconnect');
    // After a reconnect the NIBP measurement is published again, with its own time.
    await waitFor(bus.observations$, () => seen('nibp-sys').length === 2, 5000, 'NIBP after reconnect');
    expect(seen('nibp-sys').map((o) => o.deviceTime)).toEqual([1_767_225_600_000, 1_767_225_600_000]);
  });

  it('reads RTU frames over raw TCP (a terminal server in front of an RTU device)', async () => {
    const slave = loadedSlave();
    const { port } = await startSlave(slave, 'rtu');
    const { bus } = startDriver(port, 'rtu');
    const spo2 = await waitFor(bus.observations$, (o) => o.metric === 'spo2', 5000, 'SpO2 read');
    expect(spo2).toMatchObject({ value: 98.1, unit: '%' });
    expect(slave.requests[0]?.toString('hex')).toBe('11030064000c');
  });
});
