import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crc16CcittFalse, crc16Hex } from '../../drivers/shared/crc16.js';
import { ManualClock } from '../../src/core/clock.js';
import { isVigilError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { KetaminePk } from '../../simulators/patient/ketamine-pk.js';
import { SimulatorHost, type SimulatedPump } from '../../simulators/sim-host.js';
import { AsenaTestClient, infFields } from './asena-client.js';
import { waitFor } from './helpers.js';

const MIN = 60_000;
const SERIAL = '8002-51740';
const ENABLE = `REMOTE_CTRL^ENABLED^${crc16Hex(crc16CcittFalse(SERIAL))}`;

describe('the Asena pump in the SimulatorHost, over real TCP', () => {
  let host: SimulatorHost;
  let clock: ManualClock;
  let port: number;
  const clients: AsenaTestClient[] = [];

  const start = async (pump: Partial<SimulatedPump> = {}, timeScale = 1): Promise<void> => {
    host.addBed('bed-1', { seed: 5, weightKg: 70, timeScale, ketamine: { sensitivity: 1, hypertensiveResponder: false } });
    ({ port = 0 } = await host.addDevice({
      bedId: 'bed-1', deviceId: 'pump', model: 'alaris-asena-gh', serialNumber: SERIAL,
      listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
      pump: { concentrationMgPerMl: 1, rateMlPerHour: 52.5, running: true, ...pump },
    }));
  };
  const connect = async (): Promise<AsenaTestClient> => {
    const c = await AsenaTestClient.open(port);
    clients.push(c);
    return c;
  };
  const given = (): number => host.describeBed('bed-1').drug.administeredMg;

  beforeEach(() => {
    clock = new ManualClock();
    host = new SimulatorHost({ logger: silentLogger(), clock });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await host.stop();
  });

  it('answers INF and feeds the patient exactly what it infused', async () => {
    await start();
    const c = await connect();
    expect(infFields(await c.ask('INF'))).toMatchObject({ serial: SERIAL, alarm: '-', mode: 'INF', rate: 52.5, volume: 0 });
    clock.advance(40 * MIN);
    expect(infFields(await c.ask('INF')).volume).toBeCloseTo(35, 3);
    const reference = new KetaminePk(70);
    reference.advance(40 * MIN, (52.5 * 1) / 60);
    const bed = host.describeBed('bed-1');
    expect(bed.drug.administeredMg).toBeCloseTo(35, 6);
    expect(bed.drug.cpNgPerMl).toBeCloseTo(reference.concentrations().cpNgPerMl, 6);
    expect(bed.pumps[0]).toMatchObject({ deviceId: 'pump', running: true, rateMlPerHour: 52.5, concentrationMgPerMl: 1 });
    expect(bed.pumps[0]?.doseMgPerKgPerHour).toBeCloseTo(0.75, 9);
    expect((bed.vitals.nibpSysMmHg as number) - 120).toBeGreaterThan(8); // +15 setpoint, noise ±3
  });

  it('runs a commanded rate, counts every write command, and not the read queries', async () => {
    await start();
    const c = await connect();
    for (const q of ['INF', 'INF_VTBI', 'INST_SERIALNO']) await c.ask(q);
    expect(host.pumpWriteCommandCount('bed-1', 'pump')).toBe(0);
    expect(await c.ask('INF_RATE^26.25^ml/h')).toBe('ERROR^REMOTE_DISABLED');
    expect(await c.ask(ENABLE)).toBe(ENABLE);
    expect(await c.ask('INF_RATE^26.25^ml/h')).toBe('INF_RATE^26.25^ml/h');
    expect(host.pumpWriteCommandCount('bed-1', 'pump')).toBe(3);
    expect(host.pumpCommandCounts('bed-1', 'pump')).toMatchObject({ INF: 1, INF_VTBI: 1, INST_SERIALNO: 1, REMOTE_CTRL_ENABLE: 1, INF_RATE: 2 });
    const before = given();
    clock.advance(10 * MIN);
    expect(given() - before).toBeCloseTo(26.25 / 6, 6);
    expect(infFields(await c.ask('INF')).rate).toBe(26.25);
  });

  it('wrong-rate: echoes the commanded rate but runs rate x factor, and the patient gets that', async () => {
    await start();
    const c = await connect();
    host.trigger('bed-1', 'pump', { type: 'wrong-rate', factor: 1.2 });
    await c.ask(ENABLE);
    expect(await c.ask('INF_RATE^50.00^ml/h')).toBe('INF_RATE^50.00^ml/h');
    expect(infFields(await c.ask('INF')).rate).toBeCloseTo(60, 6);
    expect(host.list()[0]?.detail).toContain('wrong-rate x1.2');
    const before = given();
    clock.advance(30 * MIN);
    expect(given() - before).toBeCloseTo(30, 6);
    host.trigger('bed-1', 'pump', { type: 'resume' });
    await c.ask('INF_RATE^50.00^ml/h');
    expect(infFields(await c.ask('INF')).rate).toBe(50);
    expect(host.describeBed('bed-1').pumps[0]?.faults).toEqual([]);
  });

  it('keypad and alarm events change what the pump reports and delivers, without protocol writes', async () => {
    await start();
    const c = await connect();
    host.trigger('bed-1', 'pump', { type: 'keypad-rate', rateMlPerHour: 30 });
    expect(infFields(await c.ask('INF'))).toMatchObject({ mode: 'INF', rate: 30 });
    host.trigger('bed-1', 'pump', { type: 'keypad-stop' });
    expect(infFields(await c.ask('INF')).mode).toBe('HLD');
    const stopped = given();
    clock.advance(10 * MIN);
    expect(given()).toBe(stopped);
    host.trigger('bed-1', 'pump', { type: 'keypad-start' });
    clock.advance(2 * MIN);
    expect(given() - stopped).toBeCloseTo(1, 6); // 30 mL/h x 2 min x 1 mg/mL

    host.trigger('bed-1', 'pump', { type: 'occlusion' });
    expect(infFields(await c.ask('INF'))).toMatchObject({ alarm: 'AL_OCCLU', mode: 'HLD' });
    try {
      host.trigger('bed-1', 'pump', { type: 'keypad-start' });
      expect.unreachable('keypad-start under occlusion');
    } catch (err) {
      expect(isVigilError(err, 'SIMULATOR_EVENT_REFUSED')).toBe(true);
      expect((err as Error).message).toContain('occlusion');
    }
    host.trigger('bed-1', 'pump', { type: 'low-battery' });
    host.trigger('bed-1', 'pump', { type: 'air-in-line' });
    host.trigger('bed-1', 'pump', { type: 'door-open' });
    expect(infFields(await c.ask('INF')).alarm.split(',').sort()).toEqual(['AL_AIRIL', 'AL_LWBAT', 'AL_OCCLU', 'AL_SYRDR']);
    host.trigger('bed-1', 'pump', { type: 'clear-alarms' });
    expect(infFields(await c.ask('INF'))).toMatchObject({ alarm: '-', mode: 'HLD' });
    host.trigger('bed-1', 'pump', { type: 'low-battery' });
    host.trigger('bed-1', 'pump', { type: 'keypad-start' });
    expect(infFields(await c.ask('INF'))).toMatchObject({ alarm: 'AL_LWBAT', mode: 'INF' });
    expect(host.pumpWriteCommandCount('bed-1', 'pump')).toBe(0);
  });

  it('link faults: silence loses replies, corrupt replies fail the CRC, garbage, timed faults end', async () => {
    await start();
    const c = await connect();
    host.trigger('bed-1', 'pump', { type: 'silence', seconds: 5 });
    expect(host.list()[0]).toMatchObject({ state: 'silent' });
    expect(host.list()[0]?.detail).toMatch(/^5 s left; /);
    c.send('INST_SERIALNO');
    await waitForCount(() => host.pumpCommandCounts('bed-1', 'pump').INST_SERIALNO === 1);
    clock.advance(5000);
    expect(host.list()[0]?.state).toBe('answering');
    expect(infFields(await c.ask('INF')).serial).toBe(SERIAL); // the silenced INST_SERIALNO reply never came
    expect(c.allFrames).toHaveLength(1);

    host.trigger('bed-1', 'pump', { type: 'corrupt-replies' });
    c.send('INF');
    await waitForCount(() => c.rejected.includes('crc-mismatch'));
    host.trigger('bed-1', 'pump', { type: 'resume' });
    const rejectedBefore = c.rejected.length;
    host.trigger('bed-1', 'pump', { type: 'garbage', bytes: 30 });
    await waitForCount(() => c.rejected.length > rejectedBefore);
    expect(infFields(await c.ask('INF')).mode).toBe('INF');
  });

  it('takes one client at a time; disconnect drops it, refuses others, and switches remote control off', async () => {
    await start();
    const c = await connect();
    await c.ask(ENABLE);
    const second = await connect();
    await second.untilClosed();
    expect(await c.ask('INF_STOP')).toBe('INF_STOP');

    host.trigger('bed-1', 'pump', { type: 'disconnect' });
    await c.untilClosed();
    expect(host.list()[0]?.state).toBe('disconnected');
    const refused = await connect().catch(() => null);
    if (refused) await refused.untilClosed();

    host.trigger('bed-1', 'pump', { type: 'resume' });
    const again = await connect();
    expect(await again.ask('INF_START')).toBe('ERROR^REMOTE_DISABLED');
    expect(host.list()[0]).toMatchObject({ state: 'answering', detail: expect.stringContaining('1 client') });
  });

  it('runs on the bed time scale: at x10, 4 real minutes deliver the 40-minute dose', async () => {
    await start({}, 10);
    const c = await connect();
    clock.advance(4 * MIN);
    expect(infFields(await c.ask('INF')).volume).toBeCloseTo(35, 3);
    const reference = new KetaminePk(70);
    reference.advance(40 * MIN, 52.5 / 60);
    expect(host.describeBed('bed-1').drug.cpNgPerMl).toBeCloseTo(reference.concentrations().cpNgPerMl, 3);
  });

  it('brings the patient up to date before a pump event, so the drug arrives when it was infused', async () => {
    await start();
    clock.advance(10 * MIN);
    host.trigger('bed-1', 'pump', { type: 'keypad-stop' }); // no one read the patient in between
    clock.advance(10 * MIN);
    const reference = new KetaminePk(70);
    reference.advance(10 * MIN, 52.5 / 60);
    reference.advance(10 * MIN, 0);
    expect(host.describeBed('bed-1').drug.cpNgPerMl).toBeCloseTo(reference.concentrations().cpNgPerMl, 6);
  });

  it('stops at the VTBI, and the patient receives no more', async () => {
    await start({ vtbiMl: 10 });
    clock.advance(20 * MIN); // 10 mL takes 11.4 min
    expect(host.describeBed('bed-1').pumps[0]).toMatchObject({ running: false, volumeInfusedMl: 10 });
    expect(given()).toBeCloseTo(10, 6);
  });

  it('validates specs and pump-only calls with clear errors', async () => {
    const pump = { concentrationMgPerMl: 1, rateMlPerHour: 5 };
    const listen = { kind: 'tcp' as const, host: '127.0.0.1', port: 0 };
    await expect(host.addDevice({ bedId: 'b', deviceId: 'p', model: 'alaris-asena-gh', listen })).rejects.toThrow(/pump: required for model alaris-asena-gh/);
    await expect(host.addDevice({ bedId: 'b', deviceId: 'p', model: 'masimo-radical-7', listen, pump })).rejects.toThrow(/pump: only for a pump model/);
    await expect(
      host.addDevice({ bedId: 'b', deviceId: 'p', model: 'alaris-asena-gh', listen, pump: { ...pump, rateMlPerHour: 0 } }),
    ).rejects.toThrow(/pump\.rateMlPerHour/);
    await expect(
      host.addDevice({ bedId: 'b', deviceId: 'p', model: 'alaris-asena-gh', listen, pump: { ...pump, concentrationMgPerMl: -1 } }),
    ).rejects.toThrow(/pump\.concentrationMgPerMl/);
    await host.addDevice({ bedId: 'b', deviceId: 'ox', model: 'masimo-radical-7', listen });
    expect(() => host.pumpWriteCommandCount('b', 'ox')).toThrow(/not a pump/);
    expect(() => host.pumpCommandCounts('b', 'nope')).toThrow(/unknown simulated device "nope"/);
  });
});

/** Waits (real time, with a timeout) until `check` holds. */
async function waitForCount(check: () => boolean): Promise<void> {
  await waitFor(() => (check() ? true : undefined), 5000, 'condition');
}
