import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { SimulatorHost, type SimulatedBedInfo } from '../../simulators/sim-host.js';
import { runSimCli } from '../../simulators/sim-cli.js';

interface Answer { status: number; body: unknown }
type ErrorBody = { error: { code: string; message: string } };

describe('pump events through the control API and the CLI', () => {
  let host: SimulatorHost;
  let clock: ManualClock;
  let base: string;

  const request = async (method: string, path: string, body?: string): Promise<Answer> => {
    const res = await fetch(`${base}${path}`, { method, body, headers: { 'content-type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const post = (path: string, event: unknown): Promise<Answer> => request('POST', path, JSON.stringify(event));
  const pumpEvent = (event: unknown): Promise<Answer> => post('/simulators/bed-1/pump/events', event);
  const errorOf = (a: Answer): ErrorBody['error'] => (a.body as ErrorBody).error;
  const bed = async (): Promise<SimulatedBedInfo> => (await request('GET', '/simulators/bed-1')).body as SimulatedBedInfo;
  const pump = async (): Promise<SimulatedBedInfo['pumps'][number]> => (await bed()).pumps[0] as SimulatedBedInfo['pumps'][number];
  const cli = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runSimCli([...args, '--control', base], { out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  beforeEach(async () => {
    clock = new ManualClock();
    host = new SimulatorHost({ logger: silentLogger(), clock });
    host.addBed('bed-1', { seed: 3, weightKg: 80 });
    const listen = { kind: 'tcp' as const, host: '127.0.0.1', port: 0 };
    await host.addDevice({ bedId: 'bed-1', deviceId: 'oximeter', model: 'masimo-radical-7', listen });
    await host.addDevice({
      bedId: 'bed-1', deviceId: 'pump', model: 'alaris-asena-gh', listen,
      pump: { concentrationMgPerMl: 2, rateMlPerHour: 30, running: true },
    });
    base = `http://127.0.0.1:${await host.startControlServer('127.0.0.1', 0)}`;
  });
  afterEach(async () => {
    await host.stop();
  });

  it('applies every pump event and shows the result in GET /simulators/<bed>', async () => {
    expect(await pumpEvent({ type: 'keypad-rate', rateMlPerHour: 40 })).toMatchObject({ status: 200, body: { ok: true, deviceId: 'pump' } });
    expect(await pump()).toMatchObject({ rateMlPerHour: 40, running: true, concentrationMgPerMl: 2, doseMgPerKgPerHour: 1 });
    expect((await pumpEvent({ type: 'keypad-stop' })).status).toBe(200);
    expect((await pump()).running).toBe(false);
    expect((await pumpEvent({ type: 'keypad-start' })).status).toBe(200);
    expect((await pump()).running).toBe(true);

    for (const type of ['occlusion', 'air-in-line', 'door-open', 'low-battery'] as const) {
      expect((await pumpEvent({ type })).status).toBe(200);
    }
    expect([...(await pump()).alarms].sort()).toEqual(['air-in-line', 'door-open', 'low-battery', 'occlusion']);
    expect((await pump()).running).toBe(false);
    const refused = await pumpEvent({ type: 'keypad-start' });
    expect(refused.status).toBe(409);
    expect(errorOf(refused)).toMatchObject({ code: 'SIMULATOR_EVENT_REFUSED' });
    expect((await pumpEvent({ type: 'clear-alarms' })).status).toBe(200);
    expect((await pump()).alarms).toEqual([]);

    expect((await pumpEvent({ type: 'wrong-rate' })).status).toBe(200);
    expect((await pump()).faults).toEqual(['wrong-rate x1.1']);
    expect((await pumpEvent({ type: 'corrupt-replies', seconds: 10 })).status).toBe(200);
    expect(await pump()).toMatchObject({ link: 'corrupt-replies' });
    expect((await pumpEvent({ type: 'silence' })).status).toBe(200);
    expect((await pumpEvent({ type: 'garbage', bytes: 8 })).status).toBe(200);
    expect((await pumpEvent({ type: 'disconnect', seconds: 3 })).status).toBe(200);
    expect(await pump()).toMatchObject({ link: 'disconnected' });
    clock.advance(3000);
    expect(await pump()).toMatchObject({ link: 'silent' });
    expect((await pumpEvent({ type: 'resume' })).status).toBe(200);
    expect(await pump()).toMatchObject({ link: 'answering', faults: [] });
  });

  it('rejects bad pump events with 400 naming the field, and events the device does not have', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ type: 'keypad-rate' }, /^rateMlPerHour: /],
      [{ type: 'keypad-rate', rateMlPerHour: 5000 }, /^rateMlPerHour: /],
      [{ type: 'keypad-rate', rateMlPerHour: 'fast' }, /^rateMlPerHour: /],
      [{ type: 'wrong-rate', factor: 1 }, /^factor: must differ from 1/],
      [{ type: 'wrong-rate', factor: 0 }, /^factor: /],
      [{ type: 'corrupt-replies', seconds: -1 }, /^seconds: /],
      [{ type: 'occlusion', seconds: 5 }, /^seconds: not a parameter of "occlusion" \(allowed: none\)/],
      [{ type: 'sensor-off' }, /"sensor-off" is not an event of bed-1\/pump \(alaris-asena-gh, a pump\)/],
    ];
    for (const [event, message] of cases) {
      const a = await pumpEvent(event);
      expect(a.status, JSON.stringify(event)).toBe(400);
      expect(errorOf(a).message, JSON.stringify(event)).toMatch(message);
    }
    const onOximeter = await post('/simulators/bed-1/oximeter/events', { type: 'occlusion' });
    expect(onOximeter.status).toBe(400);
    expect(errorOf(onOximeter).message).toContain('not an event of bed-1/oximeter');
    const onBed = await post('/simulators/bed-1/events', { type: 'keypad-stop' });
    expect(errorOf(onBed).message).toContain('needs a device id');
    expect((await pump()).running).toBe(true);
    expect(host.pumpWriteCommandCount('bed-1', 'pump')).toBe(0);
  });

  it('GET /simulators/<bed> shows the ketamine concentrations and the haemodynamic vitals', async () => {
    clock.advance(20 * 60_000);
    const b = await bed();
    expect(b.drug).toMatchObject({ drug: 'ketamine', weightKg: 80, sources: ['pump'] });
    expect(b.drug.administeredMg).toBeCloseTo(20, 6); // 30 mL/h x 1/3 h x 2 mg/mL
    expect(b.drug.cpNgPerMl).toBeGreaterThan(100);
    expect(b.drug.ceNgPerMl).toBeGreaterThan(100);
    for (const key of ['nibpSysMmHg', 'nibpDiaMmHg', 'nibpMeanMmHg', 'respRate', 'etco2MmHg', 'temperatureC'] as const) {
      expect(typeof b.vitals[key], key).toBe('number');
    }
    expect(b.effects[0]).toMatch(/^ketamine Ce \d+ ng\/mL/);
  });

  it('vigil sim event sends pump events (value or option) and vigil sim patient shows the bed', async () => {
    expect(await cli('event', 'bed-1', 'pump', 'keypad-rate', '60')).toMatchObject({ code: 0 });
    expect((await pump()).rateMlPerHour).toBe(60);
    expect(await cli('event', 'bed-1', 'pump', 'keypad-rate', '--rate', '45')).toMatchObject({ code: 0 });
    expect((await pump()).rateMlPerHour).toBe(45);
    expect(await cli('event', 'bed-1', 'pump', 'wrong-rate', '1.3')).toMatchObject({ code: 0 });
    expect((await pump()).faults).toEqual(['wrong-rate x1.3']);

    const noValue = await cli('event', 'bed-1', 'pump', 'keypad-stop', '5');
    expect(noValue.code).toBe(2);
    expect(noValue.err).toContain('"keypad-stop" takes no value');
    const badValue = await cli('event', 'bed-1', 'pump', 'keypad-rate', 'fast');
    expect(badValue.code).toBe(2);
    expect(badValue.err).toContain('keypad-rate: "fast" is not a number');
    const outOfRange = await cli('event', 'bed-1', 'pump', 'keypad-rate', '9000');
    expect(outOfRange.code).toBe(1);
    expect(outOfRange.err).toMatch(/SIMULATOR_EVENT_INVALID \(HTTP 400\): rateMlPerHour: /);

    clock.advance(10 * 60_000);
    const shown = await cli('patient', 'bed-1');
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/^bed-1: 80 kg, ketamine sensitivity \d\.\d\d/);
    expect(shown.out).toMatch(/ketamine {2}Cp \d+\.\d ng\/mL {2}Ce \d+\.\d ng\/mL {2}given 15\.00 mg/);
    expect(shown.out).toMatch(/vitals {4}SpO2 \d+ % {2}HR \d+ \/min {2}BP \d+\/\d+ \(\d+\) mmHg {2}RR \d+ \/min/);
    expect(shown.out).toContain('pump pump  running 45.00 mL/h (1.125 mg/kg/h) at 2.00 mg/mL');
    expect(shown.out).toContain('(wrong-rate x1.3)');
    const missing = await cli('patient', 'bed-9');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/SIMULATOR_UNKNOWN \(HTTP 404\)/);
    expect((await cli('patient')).code).toBe(2);
  });
});
