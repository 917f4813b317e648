import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayBus } from '../../src/bus/gateway-bus.js';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { ByteTransport } from '../../src/transport/byte-transport.js';
import type { DeviceCondition, DeviceStatus } from '../../src/model/device-events.js';
import type { Observation } from '../../src/model/observation.js';
import { SerialTransport } from '../../src/transport/serial-transport.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import { createModbusDriver, modbusDriver, modbusOptionsSchema } from '../../drivers/modbus/modbus-driver.js';
import { createPtyPair } from '../helpers/socat-pty.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Third-party conformance: a pymodbus 3.0 slave (Debian python3-pymodbus, nobody on this
 * project wrote it) serves the registers of test/fixtures/modbus-maps/test-monitor.yaml over
 * Modbus TCP and over Modbus RTU on a socat pty pair; Vigil's driver, through the real
 * TcpTransport and SerialTransport, must publish exactly the expected observations. A pymodbus
 * slave whose RTU replies carry a corrupted CRC must be rejected and counted, never used.
 */
const PYTHON = '/usr/bin/python3';
const SERVER = resolve(import.meta.dirname, 'pymodbus_server.py');
const MAP = resolve(import.meta.dirname, '../fixtures/modbus-maps/test-monitor.yaml');
const UNIT = 17;
const NIBP_TIME_S = 1_767_229_200; // 2026-01-01T01:00:00Z

/** What the slave holds (addresses as in the map). */
const REGISTERS = {
  holding: {
    // HR (0xFFFF = no value), SpO2 x0.1, temp x0.01, EtCO2 float32 41.25 high word first,
    // RR int32 low word first, PI uint32 x0.001, spare, status (SENSOR_OFF | LEADS_OFF), spare
    100: [0xffff, 964, 3712, 0x4225, 0x0000, 18, 0, 0, 876, 0, 0b1001, 0],
  },
  input: {
    // NIBP sys, dia, mean, spare, measurement time (uint32 Unix s, high word first), spare
    200: [128, 71, 90, 0, NIBP_TIME_S >>> 16, NIBP_TIME_S & 0xffff, 0, 0],
  },
};

/** The observations Vigil must publish for them: value (null = unavailable), unit, device time. */
const EXPECTED: Record<string, { value: number | null; unit: string; deviceTime: number | null }> = {
  'heart-rate': { value: null, unit: '/min', deviceTime: null },
  spo2: { value: 96.4, unit: '%', deviceTime: null },
  'temp-body': { value: 37.12, unit: 'Cel', deviceTime: null },
  etco2: { value: 41.25, unit: 'mm[Hg]', deviceTime: null },
  'resp-rate': { value: 18, unit: '/min', deviceTime: null },
  'perfusion-index': { value: 0.876, unit: '%', deviceTime: null },
  'nibp-sys': { value: 128, unit: 'mm[Hg]', deviceTime: NIBP_TIME_S * 1000 },
  'nibp-dia': { value: 71, unit: 'mm[Hg]', deviceTime: NIBP_TIME_S * 1000 },
  'nibp-mean': { value: 90, unit: 'mm[Hg]', deviceTime: NIBP_TIME_S * 1000 },
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

beforeAll(() => {
  const probe = spawnSync(PYTHON, ['-c', 'import pymodbus, serial_asyncio'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `pymodbus or serial_asyncio is missing for ${PYTHON}: apt-get install python3-pymodbus python3-serial-asyncio (CI installs them). ${probe.error?.message ?? probe.stderr ?? ''}`,
    );
  }
});

/** Starts the pymodbus slave; resolves with its READY line's fields once it serves. */
async function startPymodbus(args: string[]): Promise<Record<string, string>> {
  const child: ChildProcess = spawn(PYTHON, [SERVER, '--unit', String(UNIT), '--registers', JSON.stringify(REGISTERS), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr = (stderr + t).slice(-4000)));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`pymodbus slave not ready within 10 s: ${stderr}`)), 10_000);
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (t: string) => {
      out += t;
      const line = out.split('\n').find((l) => l.startsWith('READY'));
      if (!line) return;
      clearTimeout(timer);
      done(Object.fromEntries(line.split(' ').slice(1).map((kv) => kv.split('=') as [string, string])));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`pymodbus slave exited (${code}): ${stderr}`));
    });
  });
}

function runDriver(transport: ByteTransport, options: Record<string, unknown>) {
  const bus = new GatewayBus();
  const observations: Observation[] = [];
  const conditions: DeviceCondition[] = [];
  bus.observations$.subscribe((o) => observations.push(o));
  bus.conditions$.subscribe((c) => conditions.push(c));
  const driver = createModbusDriver({
    bedId: 'bed-1', deviceId: 'monitor', transport, bus, logger: silentLogger(), clock: systemClock,
    options: modbusOptionsSchema.parse({ map: MAP, ...options }),
  });
  cleanups.push(() => driver.stop());
  driver.start();
  return { bus, observations, conditions };
}

/** Waits until every metric of the map was published, then returns the first observation of each. */
async function firstOfEach(run: ReturnType<typeof runDriver>): Promise<Record<string, object>> {
  const wanted = Object.keys(EXPECTED);
  await waitFor(run.bus.observations$, () => wanted.every((m) => run.observations.some((o) => o.metric === m)), 10_000, 'every metric');
  return Object.fromEntries(
    wanted.map((m) => {
      const o = run.observations.find((x) => x.metric === m) as Observation;
      return [m, { value: o.value, unit: o.unit, deviceTime: o.deviceTime }];
    }),
  );
}

function serialTransport(path: string): SerialTransport {
  const { baudRate, dataBits, parity, stopBits } = modbusDriver.serialDefaults;
  return new SerialTransport({ path, baudRate, dataBits, parity, stopBits }, { logger: silentLogger() });
}

describe('conformance: Vigil\'s Modbus driver against a pymodbus slave', () => {
  it('reads it over Modbus TCP and publishes exactly the expected observations', async () => {
    const ready = await startPymodbus(['--tcp', '0']);
    const run = runDriver(new TcpTransport({ host: '127.0.0.1', port: Number(ready['tcp']) }, { logger: silentLogger() }), { framing: 'tcp' });
    expect(await firstOfEach(run)).toEqual(EXPECTED);
    expect(run.observations.find((o) => o.metric === 'heart-rate')?.flags).toEqual(['unavailable']);
    expect(run.conditions.filter((c) => c.active).map((c) => c.code).sort()).toEqual(['LEADS_OFF', 'SENSOR_OFF']);
  });

  it('reads it over Modbus RTU on a pseudo-terminal and publishes exactly the expected observations', async () => {
    const pty = await createPtyPair();
    cleanups.push(() => pty.close());
    await startPymodbus(['--rtu', pty.a]);
    const run = runDriver(serialTransport(pty.b), { framing: 'rtu' });
    expect(await firstOfEach(run)).toEqual(EXPECTED);
  });

  it('rejects and counts RTU replies whose CRC is corrupted, and never uses them', async () => {
    const pty = await createPtyPair();
    cleanups.push(() => pty.close());
    await startPymodbus(['--rtu', pty.a, '--corrupt-crc']);
    const run = runDriver(serialTransport(pty.b), { framing: 'rtu', timeoutMs: 300 });
    await waitFor(run.bus.conditions$, (c) => c.code === 'MODBUS_ERRORS' && c.active, 10_000, 'MODBUS_ERRORS');
    const status = await waitFor(run.bus.status$, (s: DeviceStatus) => s.counters.rejected >= 3, 10_000, 'rejections counted');
    expect(status.counters.messages).toBe(0);
    expect(run.observations).toEqual([]);
  });
});
