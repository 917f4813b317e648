/**
 * The reference Modbus syringe pump in the SimulatorHost, read and programmed by a
 * third-party master (modbus-serial's client) over Modbus TCP and Modbus RTU on a socat
 * pseudo-terminal pair. The status block is decoded with the shipped register map, so
 * the map and the simulator are checked against each other. Pump time: a ManualClock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import modbusSerial from 'modbus-serial';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { loadRegisterMap } from '../../drivers/modbus/map-loader.js';
import type { RegisterMap } from '../../drivers/modbus/register-map.js';
import { decodeRegisterValue } from '../../simulators/modbus/register-values.js';
import { SimulatorHost, type SimulatedPump } from '../../simulators/sim-host.js';
import { createPtyPair, type PtyPair } from '../helpers/socat-pty.js';

const ModbusRTU = modbusSerial.default;
type Client = InstanceType<typeof ModbusRTU>;
const MIN = 60_000;
const MAP: RegisterMap = loadRegisterMap('reference-syringe-pump').map;
const PUMP = MAP.pump!;

/** The map's metrics and status bits from the words of its poll group (as a driver would read them). */
function decode(words: number[]) {
  const metrics: Record<string, number | null> = {};
  for (const m of MAP.metrics) {
    const start = m.register - MAP.pollGroups[0]!.start;
    const raw = decodeRegisterValue(m.type, m.wordOrder, words.slice(start, start + (m.type.endsWith('16') ? 1 : 2)));
    metrics[m.metric] = m.invalid.includes(raw) ? null : raw * m.scale + m.offset;
  }
  const bit = (register: number, n: number) => ((words[register] ?? 0) & (1 << n)) !== 0;
  return {
    metrics,
    conditions: MAP.statusBits.filter((b) => bit(b.register, b.bit)).map((b) => b.code),
    running: bit(PUMP.running.register, PUMP.running.bit),
  };
}

/** Runs a sequence of the map's write steps (the executor's job, done here by hand). */
async function runSequence(client: Client, steps: typeof PUMP.rateChange, targetCenti?: number): Promise<void> {
  for (const step of steps) {
    if (step.op === 'write') await client.writeRegister(step.register, step.value);
    else await client.writeRegisters(step.value.register, [Math.floor(targetCenti! / 65_536), targetCenti! % 65_536]);
  }
}

/** The Modbus exception code of a failed call; -1 for another failure (timeout, CRC); undefined when it succeeded. */
async function exceptionOf(call: Promise<unknown>): Promise<number | undefined> {
  return (await failureOf(call))?.modbusCode;
}

async function failureOf(call: Promise<unknown>): Promise<{ modbusCode: number; message: string } | undefined> {
  try {
    await call;
  } catch (err) {
    const e = err as { modbusCode?: number; message?: string };
    return { modbusCode: e.modbusCode ?? -1, message: String(e.message) };
  }
  return undefined;
}

describe('the Modbus syringe pump in the SimulatorHost', () => {
  let host: SimulatorHost;
  let clock: ManualClock;
  const clients: Client[] = [];
  let pty: PtyPair | null = null;

  const addPump = async (listen: Parameters<SimulatorHost['addDevice']>[0]['listen'], pump: Partial<SimulatedPump> = {}) =>
    host.addDevice({
      bedId: 'bed-1', deviceId: 'pump', model: 'modbus-syringe-pump', listen,
      pump: { concentrationMgPerMl: 1, rateMlPerHour: 52.5, running: true, ...pump },
    });
  const tcpClient = async (port: number): Promise<Client> => {
    const client = new ModbusRTU();
    await client.connectTCP('127.0.0.1', { port });
    client.setID(MAP.defaultUnitId);
    client.setTimeout(1000);
    clients.push(client);
    return client;
  };
  const status = async (client: Client) => decode((await client.readHoldingRegisters(0, MAP.pollGroups[0]!.count)).data);

  beforeEach(() => {
    clock = new ManualClock();
    host = new SimulatorHost({ logger: silentLogger(), clock });
    host.addBed('bed-1', { seed: 5, weightKg: 70, ketamine: { sensitivity: 1, hypertensiveResponder: false } });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await new Promise<void>((resolve) => (c.isOpen ? c.close(() => resolve()) : resolve()));
    await host.stop();
    await pty?.close();
    pty = null;
  });

  it('over Modbus TCP: the map reads rate, volume and no VTBI; the patient gets what it infused', async () => {
    const { port = 0 } = await addPump({ kind: 'tcp', host: '127.0.0.1', port: 0 }, { vtbiMl: 40 });
    const client = await tcpClient(port);
    expect(await status(client)).toMatchObject({
      metrics: { 'pump-rate': 52.5, 'volume-infused': 0, 'vtbi-remaining': 40 }, running: true, conditions: [],
    });
    clock.advance(40 * MIN);
    const later = await status(client);
    expect(later.metrics['volume-infused']).toBeCloseTo(35, 3);
    expect(later.metrics['vtbi-remaining']).toBeCloseTo(5, 3);
    expect(host.describeBed('bed-1').drug.administeredMg).toBeCloseTo(35, 6);
  });

  it('over Modbus TCP: the map sequence programs the rate; the patient follows; writes are counted', async () => {
    const { port = 0 } = await addPump({ kind: 'tcp', host: '127.0.0.1', port: 0 });
    const client = await tcpClient(port);
    await status(client);
    expect(host.pumpWriteCommandCount('bed-1', 'pump')).toBe(0);
    await runSequence(client, PUMP.rateChange, 2625);
    expect((await status(client)).metrics['pump-rate']).toBe(26.25);
    expect(host.modbusPumpWriteCounts('bed-1', 'pump')).toEqual({ arm: 1, setpoint: 1, commit: 1, stop: 0, other: 0 });
    expect(host.pumpWriteCommandCount('bed-1', 'pump')).toBe(3);
    const before = host.describeBed('bed-1').drug.administeredMg;
    clock.advance(10 * MIN);
    expect(host.describeBed('bed-1').drug.administeredMg - before).toBeCloseTo(26.25 / 6, 6);
    await runSequence(client, PUMP.stop);
    expect((await status(client)).running).toBe(false);
    expect(() => host.pumpCommandCounts('bed-1', 'pump')).toThrow(/Modbus pump/);
  });

  it('over Modbus TCP: a commit without an arm is exception 04 and changes nothing', async () => {
    const { port = 0 } = await addPump({ kind: 'tcp', host: '127.0.0.1', port: 0 });
    const client = await tcpClient(port);
    const commit = PUMP.rateChange.at(-1)!;
    if (commit.op !== 'write') throw new Error('the map ends its rate change with a fixed write');
    expect(await exceptionOf(client.writeRegisters(101, [0, 700]))).toBe(4);
    expect(await exceptionOf(client.writeRegister(commit.register, commit.value))).toBe(4);
    expect((await status(client)).metrics['pump-rate']).toBe(52.5);
    expect(host.describeBed('bed-1').pumps[0]).toMatchObject({ rateMlPerHour: 52.5, remoteControl: false });
  });

  it('events: an occlusion shows as its map condition and stops the pump; keypad rate shows; list() describes it', async () => {
    const { port = 0 } = await addPump({ kind: 'tcp', host: '127.0.0.1', port: 0 });
    const client = await tcpClient(port);
    host.trigger('bed-1', 'pump', { type: 'keypad-rate', rateMlPerHour: 12 });
    host.trigger('bed-1', 'pump', { type: 'occlusion' });
    expect(await status(client)).toMatchObject({ metrics: { 'pump-rate': 12 }, running: false, conditions: ['OCCLUSION'] });
    expect(host.list()[0]).toMatchObject({ model: 'modbus-syringe-pump', state: 'answering', detail: expect.stringContaining('alarms: occlusion') });
    expect(host.list()[0]?.listen).toMatch(/^modbus-tcp:\/\/127\.0\.0\.1:\d+$/);
  });

  it('silence: a read gets no answer (the client times out) until resume', async () => {
    const { port = 0 } = await addPump({ kind: 'tcp', host: '127.0.0.1', port: 0 });
    const client = await tcpClient(port);
    client.setTimeout(200);
    host.trigger('bed-1', 'pump', { type: 'silence' });
    expect(await failureOf(client.readHoldingRegisters(0, 12))).toMatchObject({ modbusCode: -1, message: expect.stringMatching(/timed out/i) });
    host.trigger('bed-1', 'pump', { type: 'resume' });
    expect((await status(client)).metrics['pump-rate']).toBe(52.5);
  });

  it('over Modbus RTU on a pseudo-terminal: reads, programs, and corrupt replies fail the CRC at the master', async () => {
    pty = await createPtyPair();
    await addPump({ kind: 'serial', path: pty.a, baudRate: 19_200 });
    const client = new ModbusRTU();
    await client.connectRTUBuffered(pty.b, { baudRate: 19_200, parity: 'even', dataBits: 8, stopBits: 1 });
    client.setID(MAP.defaultUnitId);
    client.setTimeout(1000);
    clients.push(client);
    expect((await status(client)).metrics['pump-rate']).toBe(52.5);
    await runSequence(client, PUMP.rateChange, 1000);
    expect((await status(client)).metrics['pump-rate']).toBe(10);
    host.trigger('bed-1', 'pump', { type: 'corrupt-replies' });
    client.setTimeout(300);
    expect(await failureOf(client.readHoldingRegisters(0, 12))).toMatchObject({ modbusCode: -1, message: expect.stringMatching(/crc/i) });
    host.trigger('bed-1', 'pump', { type: 'resume' });
    client.setTimeout(1000);
    expect((await status(client)).metrics['pump-rate']).toBe(10);
  });
});
