import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { ModbusMonitorSim, type MonitorEvent } from '../../simulators/modbus-monitor/modbus-monitor-sim.js';
import { ModbusTcpServer } from '../../simulators/modbus/modbus-tcp-server.js';
import type { Vitals } from '../../simulators/patient/vitals.js';
import { FixedVitals, RecordingOutput } from './helpers.js';
import { closeClient, exceptionOf, tcpClient, type ModbusRTU } from './modbus-client.js';

/** The documented layout (docs/protocols/reference-monitor.md), written out independently of the simulator. */
const NO_U16 = 0xffff;
const NO_I16 = 0x8000;
const T0_SECONDS = Date.UTC(2026, 0, 1) / 1000; // ManualClock's default start
const words32 = (v: number): [number, number] => [Math.floor(v / 0x10000), v % 0x10000];

const VITALS: Vitals = {
  spo2: 96.6, pulseRate: 71.6, perfusionIndex: 3.5, respRate: 14.2, etco2MmHg: 38, temperatureC: 36.8,
  nibpSysMmHg: 120.4, nibpDiaMmHg: 78.2,
};

function monitor(options: { intervalSeconds?: number; atStart?: boolean } = {}) {
  const clock = new ManualClock();
  const patient = new FixedVitals({ ...VITALS });
  const sim = new ModbusMonitorSim({
    patient, clock, logger: silentLogger(), seed: 1, nibpIntervalSeconds: options.intervalSeconds, measureNibpAtStart: options.atStart,
  });
  const output = new RecordingOutput();
  sim.attach(output);
  /** What a Modbus master gets for "read input registers" (function 4): the words, or the exception code. */
  const readInput = (start: number, count: number): number[] | string => {
    const reply = sim.slave.answer(Buffer.from([4, start >> 8, start & 0xff, 0, count]));
    if (!reply) return 'no reply';
    const pdu = reply.pdu;
    if (pdu[0] !== 4) return `exception ${pdu[1]}`;
    return Array.from({ length: count }, (_, i) => pdu.readUInt16BE(2 + 2 * i));
  };
  const writeHolding = (address: number, value: number): string => {
    const reply = sim.slave.answer(Buffer.from([6, 0, address, value >> 8, value & 0xff]));
    return reply ? reply.pdu.toString('hex') : 'no reply';
  };
  const event = (e: MonitorEvent): void => sim.handle(e);
  return { clock, patient, sim, output, readInput, writeHolding, event };
}

describe('reference Modbus monitor registers', () => {
  it('holds the patient\'s vitals in the documented encoding (input registers 0-9)', () => {
    const { readInput } = monitor();
    expect(readInput(0, 10)).toEqual([
      0, // no status bit
      72, // heart rate /min
      97, // SpO2 %
      72, // pulse rate /min
      14, // RR /min
      3680, // 36.80 Cel in 0.01
      0x4218, 0x0000, // 38.0 as float32, high word first
      3500, 0, // 3.500 % in 0.001, int32 LOW word first
    ]);
  });

  it('measures NIBP at start and holds the pressures with their time (input registers 16-21)', () => {
    const { readInput } = monitor();
    // mean = 78 + (120 - 78) / 3 = 92; next automatic measurement in 300 s
    expect(readInput(16, 6)).toEqual([120, 78, 92, ...words32(T0_SECONDS), 300]);
  });

  it('answers exception 02 beyond its tables and 01 for functions it lacks', () => {
    const { readInput, sim } = monitor();
    expect(readInput(20, 3)).toBe('exception 2');
    expect(sim.slave.answer(Buffer.from([1, 0, 0, 0, 1]))?.pdu.toString('hex')).toBe('8101');
  });
});

describe('NIBP cycle (injected clock)', () => {
  it('keeps the last measurement between cycles and measures again when the interval is over', () => {
    const { clock, patient, readInput } = monitor({ intervalSeconds: 300 });
    patient.vitals = { ...VITALS, nibpSysMmHg: 150, nibpDiaMmHg: 95 };
    clock.advance(299_000);
    expect(readInput(16, 6)).toEqual([120, 78, 92, ...words32(T0_SECONDS), 1]);
    clock.advance(1_000);
    expect(readInput(16, 6)).toEqual([150, 95, 113, ...words32(T0_SECONDS + 300), 300]);
    clock.advance(450_000); // 1.5 intervals without a read: one measurement, schedule kept
    expect(readInput(16, 6)).toEqual([150, 95, 113, ...words32(T0_SECONDS + 750), 150]);
  });

  it('measures on demand (event or start register) without moving the automatic schedule', () => {
    const { clock, patient, readInput, writeHolding, event } = monitor({ intervalSeconds: 300 });
    clock.advance(100_000);
    patient.vitals = { ...VITALS, nibpSysMmHg: 140, nibpDiaMmHg: 90 };
    event({ type: 'nibp-measure' });
    expect(readInput(16, 6)).toEqual([140, 90, 107, ...words32(T0_SECONDS + 100), 200]);
    clock.advance(50_000);
    patient.vitals = { ...VITALS, nibpSysMmHg: 130, nibpDiaMmHg: 81 };
    expect(writeHolding(1, 1)).toBe('0600010001');
    expect(readInput(16, 6)).toEqual([130, 81, 97, ...words32(T0_SECONDS + 150), 150]);
  });

  it('takes a new interval from the holding register and refuses one out of range with exception 03', () => {
    const { clock, readInput, writeHolding } = monitor({ intervalSeconds: 300 });
    expect(writeHolding(0, 30)).toBe('8603');
    expect(writeHolding(1, 2)).toBe('8603');
    expect(writeHolding(0, 600)).toBe('060000' + '0258');
    clock.advance(599_000);
    expect(readInput(19, 3)).toEqual([...words32(T0_SECONDS), 1]);
    clock.advance(1_000);
    expect(readInput(19, 3)).toEqual([...words32(T0_SECONDS + 600), 600]);
  });

  it('in manual mode (interval 0) measures only on demand and shows 0xFFFF as time to the next', () => {
    const { clock, readInput, event } = monitor({ intervalSeconds: 0, atStart: false });
    clock.advance(3_600_000);
    expect(readInput(16, 6)).toEqual([NO_I16, NO_I16, NO_I16, 0, 0, NO_U16]);
    event({ type: 'nibp-measure' });
    expect(readInput(16, 6)).toEqual([120, 78, 92, ...words32(T0_SECONDS + 3600), NO_U16]);
  });
});

describe('monitor events', () => {
  it('sensor-off, leads-off and co2-occlusion set their status bit and blank their values', () => {
    const { readInput, event } = monitor();
    event({ type: 'sensor-off' });
    expect(readInput(0, 10)).toEqual([0b0001, 72, NO_U16, NO_U16, 14, 3680, 0x4218, 0, 0, 0x8000]);
    event({ type: 'leads-off' });
    event({ type: 'co2-occlusion' });
    const r = readInput(0, 10) as number[];
    expect(r.slice(0, 6)).toEqual([0b1011, NO_U16, NO_U16, NO_U16, NO_U16, 3680]);
    expect(Buffer.from([r[6] as number >> 8, r[6] as number & 0xff, r[7] as number >> 8, r[7] as number & 0xff]).readFloatBE()).toBeNaN();
    event({ type: 'resume' });
    expect(readInput(0, 5)).toEqual([0, 72, 97, 72, 14]);
  });

  it('cuff-error sets bit 2 and the measurement attempted meanwhile fails with its time', () => {
    const { clock, readInput, event } = monitor({ intervalSeconds: 300 });
    event({ type: 'cuff-error', seconds: 400 });
    expect(readInput(0, 1)).toEqual([0b0100]);
    expect(readInput(16, 5)).toEqual([120, 78, 92, ...words32(T0_SECONDS)]);
    clock.advance(300_000);
    expect(readInput(16, 5)).toEqual([NO_I16, NO_I16, NO_I16, ...words32(T0_SECONDS + 300)]);
    clock.advance(100_000); // the timed fault is over
    expect(readInput(0, 1)).toEqual([0]);
    event({ type: 'nibp-measure' });
    expect(readInput(16, 3)).toEqual([120, 78, 92]);
  });

  it('silence: requests still act but get no reply; corrupt-crc: replies are marked to be damaged; both end', () => {
    const { clock, sim, event } = monitor();
    event({ type: 'silence', seconds: 5 });
    expect(sim.slave.answer(Buffer.from([6, 0, 0, 0x02, 0x58]))).toBeNull();
    expect(sim.bank.get('holding', 0)).toBe(600);
    expect(sim.mode()).toEqual({ mode: 'silent', secondsLeft: 5 });
    clock.advance(5_000);
    expect(sim.slave.answer(Buffer.from([3, 0, 0, 0, 1]))?.corrupt).toBe(false);
    event({ type: 'corrupt-crc' });
    expect(sim.slave.answer(Buffer.from([3, 0, 0, 0, 1]))?.corrupt).toBe(true);
    expect(sim.mode().mode).toBe('corrupt-crc');
    event({ type: 'resume' });
    expect(sim.mode()).toEqual({ mode: 'answering', secondsLeft: null });
  });

  it('garbage writes the given number of bytes on its links; disconnect takes them down until resume', () => {
    const { output, event, sim } = monitor();
    event({ type: 'garbage', bytes: 12 });
    expect(Buffer.concat(output.chunks)).toHaveLength(12);
    event({ type: 'disconnect' });
    expect(output.connected).toBe(false);
    expect(sim.mode().mode).toBe('disconnected');
    event({ type: 'garbage' });
    expect(Buffer.concat(output.chunks)).toHaveLength(12);
    event({ type: 'resume' });
    expect(output.connected).toBe(true);
  });
});

describe('reference monitor over Modbus TCP (modbus-serial as the master)', () => {
  let server: ModbusTcpServer | null = null;
  let client: ModbusRTU | null = null;
  afterEach(async () => {
    if (client) await closeClient(client);
    await server?.stop();
    client = null;
    server = null;
  });

  it('serves the documented registers, and stops answering under silence', async () => {
    const { sim, event } = monitor();
    server = sim.createOutput({ kind: 'tcp', host: '127.0.0.1', port: 0 }, { logger: silentLogger() }) as ModbusTcpServer;
    sim.attach(server);
    const { port } = await server.start();
    client = await tcpClient(port, 1, 300);
    expect((await client.readInputRegisters(1, 5)).data).toEqual([72, 97, 72, 14, 3680]);
    expect((await client.readHoldingRegisters(0, 2)).data).toEqual([300, 0]);
    expect(await exceptionOf(client.writeRegister(0, 59))).toBe(3);
    event({ type: 'silence' });
    await expect(client.readInputRegisters(0, 1)).rejects.toThrow(/timed out/i);
  });
});
