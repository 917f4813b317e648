/**
 * The rate-change workflow end to end over real TCP: the daemon reads a simulated Alaris
 * Asena GH (its real byte protocol) and programs it only through nurse-confirmed orders,
 * proven by read-back. Faults come from the simulator: a pump that runs another rate,
 * a silent pump, a lost connection, a change at the pump's own keypad.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { filter, firstValueFrom, ReplaySubject } from 'rxjs';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { parseConfigText } from '../../src/config/load-config.js';
import { CONFIG_INPUTS, defaultConfigPath } from '../../src/config/vigil-config.js';
import { silentLogger } from '../../src/core/logger.js';
import { isVigilError } from '../../src/core/errors.js';
import { SimulatorHost } from '../../simulators/sim-host.js';
import type { ControlApi } from '../../src/control/control-api.js';
import type { AlarmEvent } from '../../src/alarms/alarm.js';
import { DEMO_USERS } from '../../src/daemon/demo-users.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor } from '../helpers/wait-for.js';

const [ana, ben, cho] = DEMO_USERS;
const creds = (u: (typeof DEMO_USERS)[number]) => ({ username: u.username, password: u.password });

describe('pump rate changes over TCP', () => {
  let sims: SimulatorHost;
  let daemon: RunningDaemon;
  let control: ControlApi;
  const alarms = new ReplaySubject<AlarmEvent>();
  const counts = () => sims.pumpCommandCounts('bed-1', 'pump');
  const simPump = () => sims.describeBed('bed-1').pumps[0]!;

  /** Waits until Vigil has a fresh reading of the pump at `rate` mL/h. */
  const pumpReadAt = (rate: number) =>
    waitFor(control.pumps$, (p) => p.reading.fresh && p.reading.rateMlPerHour !== null && Math.abs(p.reading.rateMlPerHour - rate) < 0.005, 10000, `pump read at ${rate} mL/h`);

  async function refusal(promise: Promise<unknown>): Promise<{ reason: unknown; message: string }> {
    try {
      await promise;
    } catch (err) {
      if (isVigilError(err, 'ORDER_REFUSED')) return { reason: err.context['reason'], message: err.message };
      throw err;
    }
    throw new Error('expected a refusal');
  }

  beforeAll(async () => {
    const port = await freePort();
    sims = new SimulatorHost({ logger: silentLogger() });
    sims.addBed('bed-1', { seed: 5, weightKg: 70 });
    await sims.addDevice({
      bedId: 'bed-1', deviceId: 'pump', model: 'alaris-asena-gh', serialNumber: '8002-51740',
      pump: { concentrationMgPerMl: 10, rateMlPerHour: 5.25, vtbiMl: 3.5, running: true },
      listen: { kind: 'tcp', host: '127.0.0.1', port },
    });
    const dir = mkdtempSync(join(tmpdir(), 'vigil-pump-'));
    const config = parseConfigText(
      `
station: { port: 0 }
storage: { databasePath: "${join(dir, 'vigil.sqlite')}" }
drugLibrary: "${join(dirname(defaultConfigPath()), 'drug-library.yaml')}"
demoUsers: true
control: { commandTimeoutMs: 1000, readbackDeadlineMs: 4000 }
beds:
  - id: bed-1
    label: Bed 1
    session: iv-ketamine
    infusion: { pump: pump, drug: ketamine, concentrationMgPerMl: 10, patientWeightKg: 70 }
    devices:
      - { id: pump, driver: alaris-asena-gh, transport: "tcp://127.0.0.1:${port}", options: { pollIntervalMs: 500, communicationLostAfterMs: 3000 } }
`,
      'pump.yaml',
      CONFIG_INPUTS,
    );
    daemon = await startDaemon({ config, logger: silentLogger() });
    control = daemon.control!;
    daemon.alarms$.subscribe(alarms);
    await pumpReadAt(5.25);
  });

  afterAll(async () => {
    await daemon?.stop();
    await sims?.stop();
  });

  it('two nurses change the rate: one command, read back, verified, audited in order', async () => {
    const before = counts();
    const session = await control.login(ana.username, ana.password);
    const requested = await control.requestRateChange(session.token, { bedId: 'bed-1', deviceId: 'pump', value: 1.0, unit: 'mg/kg/h' });
    expect(requested).toMatchObject({ state: 'awaiting-confirmation', targetRateMlPerHour: 7 });
    expect(counts().INF_RATE).toBe(before.INF_RATE); // nothing written before the signatures
    const confirmed = await control.confirm(requested.id, creds(ana));
    expect(confirmed.state).toBe('awaiting-double-check');
    expect(counts().INF_RATE).toBe(before.INF_RATE);
    const done = await control.doubleCheck(requested.id, creds(ben), 1.0);
    expect(done.state).toBe('verified');
    expect(done.readback).toMatchObject({ rateMlPerHour: 7, runState: 'running' });
    expect(counts().INF_RATE - before.INF_RATE).toBe(1);
    expect(simPump().rateMlPerHour).toBe(7);

    const actions = control
      .audit(session.token, { bedId: 'bed-1', limit: 50 })
      .filter((e) => (e.details as { orderId?: string } | null)?.orderId === requested.id)
      .map((e) => e.action);
    expect(actions[0]).toBe('order.requested');
    expect(actions.slice(1, 3)).toEqual(['order.confirmed', 'order.double-checked']);
    expect(actions).toContain('pump.command-sent');
    expect(actions[actions.length - 1]).toBe('order.verified');
  });

  it('refuses a dose above the hard limit, naming the limit, and writes nothing', async () => {
    const before = counts();
    const session = await control.login(cho.username, cho.password);
    const r = await refusal(control.requestRateChange(session.token, { bedId: 'bed-1', deviceId: 'pump', value: 3, unit: 'mg/kg/h' }));
    expect(r.reason).toBe('HARD_LIMIT');
    expect(r.message).toMatch(/2 mg\/kg\/h/);
    expect(counts()).toEqual(expect.objectContaining({ INF_RATE: before.INF_RATE, REMOTE_CTRL_ENABLE: before.REMOTE_CTRL_ENABLE }));
  });

  it('a soft-limit dose needs an override reason', async () => {
    const session = await control.login(cho.username, cho.password);
    const r = await refusal(control.requestRateChange(session.token, { bedId: 'bed-1', deviceId: 'pump', value: 1.6, unit: 'mg/kg/h' }));
    expect(r.reason).toBe('OVERRIDE_REASON_REQUIRED');
    const order = await control.requestRateChange(session.token, {
      bedId: 'bed-1', deviceId: 'pump', value: 1.6, unit: 'mg/kg/h', overrideReason: 'protocol allows 1.6 for this patient',
    });
    expect(order.limitCheck).toMatchObject({ band: 'soft-high', overrideReason: 'protocol allows 1.6 for this patient' });
    control.cancel(order.id, session.token, 'test over');
  });

  it('a pump that runs another rate than commanded: not verified, high alarm, never retried', async () => {
    sims.trigger('bed-1', 'pump', { type: 'wrong-rate', factor: 1.2 });
    const before = counts();
    const session = await control.login(ana.username, ana.password);
    const order = await control.requestRateChange(session.token, { bedId: 'bed-1', deviceId: 'pump', value: 5, unit: 'mL/h' });
    await control.confirm(order.id, creds(ana));
    const done = await control.doubleCheck(order.id, creds(ben), 5);
    expect(done.state).toBe('not-verified');
    expect(done.outcome?.code).toBe('READBACK_MISMATCH');
    expect(done.outcome?.message).toMatch(/ordered 5\.00 mL\/h, the pump reports 6\.00 mL\/h/);
    const alarm = await waitFor(alarms, (a) => a.phase === 'start' && a.alarm.code === 'RATE_CHANGE_NOT_VERIFIED', 2000, 'not-verified alarm');
    expect(alarm.alarm.priority).toBe('high');
    // Several more polls, and still exactly one set-rate command: nothing retries.
    await pumpReadAt(6);
    await pumpReadAt(6);
    expect(counts().INF_RATE - before.INF_RATE).toBe(1);
    sims.trigger('bed-1', 'pump', { type: 'resume' });
    // The pump now runs 6 mL/h: a nurse acknowledges after checking it.
    control.acknowledgeOutcome(order.id, session.token);
    await waitFor(alarms, (a) => a.phase === 'end' && a.alarm.code === 'RATE_CHANGE_NOT_VERIFIED', 2000, 'alarm ended');
  });

  it('a pump silent after the command: not verified (no reply), nothing retried', async () => {
    await pumpReadAt(6);
    const session = await control.login(ana.username, ana.password);
    const order = await control.requestRateChange(session.token, { bedId: 'bed-1', deviceId: 'pump', value: 5.5, unit: 'mL/h' });
    await control.confirm(order.id, creds(ana));
    sims.trigger('bed-1', 'pump', { type: 'silence' });
    const before = counts();
    const done = await control.doubleCheck(order.id, creds(ben), 5.5);
    expect(done.state).toBe('not-verified');
    expect(done.outcome?.code).toBe('NO_REPLY');
    expect(counts().INF_RATE).toBe(before.INF_RATE);
    sims.trigger('bed-1', 'pump', { type: 'resume' });
    await pumpReadAt(6);
    expect(simPump().rateMlPerHour).toBe(6);
    control.acknowledgeOutcome(order.id, session.token);
  });

  it('connection lost mid-order: not verified (link lost)', async () => {
    await pumpReadAt(6);
    const session = await control.login(ana.username, ana.password);
    const order = await control.requestRateChange(session.token, { bedId: 'bed-1', deviceId: 'pump', value: 5.5, unit: 'mL/h' });
    await control.confirm(order.id, creds(ana));
    sims.trigger('bed-1', 'pump', { type: 'silence' });
    const executing = firstValueFrom(control.orders$.pipe(filter((o) => o.id === order.id && o.state === 'executing')));
    const result = control.doubleCheck(order.id, creds(ben), 5.5);
    await executing;
    sims.trigger('bed-1', 'pump', { type: 'disconnect' });
    const done = await result;
    expect(done.state).toBe('not-verified');
    expect(done.outcome?.code).toBe('LINK_LOST');
    sims.trigger('bed-1', 'pump', { type: 'resume' });
    await pumpReadAt(6);
    control.acknowledgeOutcome(order.id, session.token);
  });

  it('a change made at the pump keypad is seen and audited as changed at the pump', async () => {
    const change = waitFor(control.pumpChanges$, (c) => c.kind === 'rate', 10000, 'a keypad change');
    sims.trigger('bed-1', 'pump', { type: 'keypad-rate', rateMlPerHour: 4 });
    const seen = await change;
    expect(seen).toMatchObject({ bedId: 'bed-1', deviceId: 'pump', before: '6.00 mL/h', after: '4.00 mL/h' });
    const session = await control.login(ana.username, ana.password);
    const entry = control.audit(session.token, { bedId: 'bed-1', limit: 20 }).find((e) => e.action === 'pump.changed-at-pump');
    expect(entry?.actor).toMatch(/^device:/);
  });
});
