/**
 * Safety rule 1 as a property: whatever the devices do (vital signs, garbage, alarms,
 * pump faults, keypad changes, link loss and return) and whatever clinicians start
 * without completing (requests, failed signatures, cancellations, a first signature only,
 * a double check by the same nurse or with another value), the pump receives no write
 * command. (The Modbus pump's property: no-write-modbus-pump.test.ts.) A positive control shows the same harness does carry a write once an
 * order is fully signed, so the property cannot hold vacuously.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Subscription } from 'rxjs';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { GatewayBus } from '../../src/bus/gateway-bus.js';
import { MemoryTransport } from '../../src/transport/memory-transport.js';
import type { CommandLane } from '../../src/device/command-lane.js';
import { createAlarmEngine } from '../../src/alarms/engine/alarm-engine.js';
import { loadAlarmProfiles } from '../../src/alarms/engine/profile-loader.js';
import { parseConfigText } from '../../src/config/load-config.js';
import { CONFIG_INPUTS } from '../../src/config/vigil-config.js';
import { parseDrugLibrary } from '../../src/config/drug-library.js';
import { openDatabase } from '../../src/store/database.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { UserStore } from '../../src/users/user-store.js';
import { SessionStore } from '../../src/users/session-store.js';
import { ControlService } from '../../src/control/order-workflow.js';
import { AsenaExecutor } from '../../src/control/asena/asena-executor.js';
import { asenaLocalChanges, asenaReadings } from '../../src/control/asena/asena-readings.js';
import { createAsenaDriver } from '../../drivers/alaris-asena/asena-driver.js';
import { masimoAsciiDriver } from '../../drivers/masimo-ascii/masimo-driver.js';
import { AsenaPumpModel, type SimPumpFault } from '../../simulators/alaris-asena/pump-model.js';
import { AsenaProtocolHandler } from '../../simulators/alaris-asena/protocol-handler.js';
import { FAST_SCRYPT, KETAMINE, PASSWORDS, TEST_LIBRARY_YAML } from '../control/control-fixture.js';
import { waitFor } from '../helpers/wait-for.js';
import { applyOrderOrWaitStep, assertNoPumpWrites, completeOrder, orderOrWaitStep } from './no-write-property.js';

/** A link to the simulated pump: what the driver writes is answered by the pump's protocol handler. */
class PumpLink extends MemoryTransport {
  constructor(private readonly handler: AsenaProtocolHandler) {
    super('memory://pump');
  }
  override async write(bytes: Uint8Array): Promise<void> {
    await super.write(bytes);
    const reply = this.handler.handleBytes(bytes);
    if (reply.length > 0) setImmediate(() => this.state === 'open' && this.inject(reply));
  }
}

const BED = parseConfigText(
  `
beds:
  - id: bed-1
    label: Bed 1
    devices:
      - { id: pump, driver: alaris-asena-gh, transport: "tcp://127.0.0.1:1" }
      - { id: oximeter, driver: masimo-ascii, transport: "tcp://127.0.0.1:2" }
    alarms:
      limits:
        spo2: { low: 90, priority: high, delayMs: 0 }
        pulse-rate: { low: 50, high: 120, delayMs: 0 }
`,
  'property.yaml',
  CONFIG_INPUTS,
).beds;

async function startGateway() {
  const logger = silentLogger();
  const clock = systemClock;
  const model = new AsenaPumpModel({ clock, serial: '8002-51740', rateMlPerHour: 5.25, syringeVolumeMl: 20 });
  model.start();
  const handler = new AsenaProtocolHandler(model);
  const pumpLink = new PumpLink(handler);
  const oxiLink = new MemoryTransport('memory://oximeter');
  const bus = new GatewayBus();
  let lane: CommandLane | undefined;
  const pump = createAsenaDriver({
    bedId: 'bed-1', deviceId: 'pump', transport: pumpLink, bus, logger, clock,
    options: { pollIntervalMs: 500, responseTimeoutMs: 200, communicationLostAfterMs: 1500 },
    commandLaneGrant: (l) => (lane = l),
  });
  const oximeter = masimoAsciiDriver.create({
    bedId: 'bed-1', deviceId: 'oximeter', transport: oxiLink, bus, logger, clock,
    options: { communicationLostAfterMs: 1100, deviceTimeZone: 'utc' },
  });
  const database = openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-prop-')), 'vigil.sqlite'));
  const audit = new AuditLog(database, { clock });
  const users = new UserStore(database, audit, { clock, scrypt: FAST_SCRYPT });
  const sessions = new SessionStore(database, users, audit, { clock });
  await users.add({ username: 'ana', displayName: 'Ana', role: 'nurse', password: PASSWORDS.ana }, 'system');
  await users.add({ username: 'ben', displayName: 'Ben', role: 'nurse', password: PASSWORDS.ben }, 'system');
  const readings$ = asenaReadings(pump.pumpState$);
  const control = new ControlService({
    pumps: [{
      bedId: 'bed-1', deviceId: 'pump', label: 'Pump', programme: KETAMINE, readings$,
      localChanges$: asenaLocalChanges(pump.localChanges$),
      executor: new AsenaExecutor(lane!, readings$, clock, logger, { commandTimeoutMs: 300, readbackDeadlineMs: 2000, rateToleranceMlPerHour: 0.01 }),
    }],
    drugLibrary: parseDrugLibrary(TEST_LIBRARY_YAML, 'library.yaml'),
    database, audit, users, sessions, clock, logger,
  });
  // The real alarm engine, with the ketamine IV profile and the control module's alarms.
  const engine = createAlarmEngine({
    beds: [{ bedId: 'bed-1', profile: loadAlarmProfiles().get('ketamine-iv')!, devices: BED[0]!.devices.map((d) => ({ deviceId: d.id, pump: d.id === 'pump' })) }],
    inputs: { observations$: bus.observations$, status$: bus.status$, conditions$: bus.conditions$, external$: control.alarms$ },
  });
  const subscriptions: Subscription[] = [engine.events$.subscribe(), { unsubscribe: () => engine.stop() } as Subscription];
  pump.start();
  oximeter.start();
  await waitFor(readings$, (r) => r.fresh, 5000, 'a first pump reading');
  return {
    model, handler, pumpLink, oxiLink, control,
    async stop() {
      for (const s of subscriptions) s.unsubscribe();
      control.close();
      await pump.stop();
      await oximeter.stop();
      database.close();
    },
  };
}

type Gateway = Awaited<ReturnType<typeof startGateway>>;

const FAULTS: SimPumpFault[] = ['occlusion', 'air-in-line', 'door-open', 'low-battery'];
const action = fc.oneof(
  fc.record({ t: fc.constant('oximeter-line' as const), spo2: fc.integer({ min: 60, max: 100 }), bpm: fc.integer({ min: 30, max: 200 }) }),
  fc.record({ t: fc.constant('oximeter-garbage' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 80 }) }),
  fc.record({ t: fc.constant('pump-fault' as const), fault: fc.constantFrom(...FAULTS), on: fc.boolean() }),
  fc.record({ t: fc.constant('pump-link' as const), up: fc.boolean() }),
  fc.record({ t: fc.constant('keypad' as const), rate: fc.integer({ min: 1, max: 200 }).map((r) => r / 10) }),
  orderOrWaitStep,
);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

async function apply(g: Gateway, a: Action, token: string): Promise<void> {
  switch (a.t) {
    case 'oximeter-line': {
      const line = `05/14/26 13:45:01 SN=0000012345 SPO2=${String(a.spo2).padStart(3, '0')}% BPM=${String(a.bpm).padStart(3, '0')} PI=03.45% SPCO=--.-% SPMET=--.-% DESAT=-- PIDELTA=+-- PVI=--- ALARM=0000 EXC=000000\r\n`;
      if (g.oxiLink.state === 'open') g.oxiLink.inject(line);
      return;
    }
    case 'oximeter-garbage':
      if (g.oxiLink.state === 'open') g.oxiLink.inject(a.bytes);
      return;
    case 'pump-fault':
      if (a.on) g.model.inject(a.fault);
      else g.model.clear(a.fault);
      return;
    case 'pump-link':
      if (a.up) g.pumpLink.restore();
      else g.pumpLink.drop('cable pulled');
      return;
    case 'keypad':
      g.model.setRateAtPump(a.rate);
      return;
    default:
      await applyOrderOrWaitStep(g.control, a, token);
  }
}

describe('no pump write without confirmation', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
  });

  it('random device data, alarms, faults, link loss and unfinished orders never write to the pump', async () => {
    const start = async () => {
      const g = await startGateway();
      g.oxiLink.start();
      return { ...g, writes: () => g.handler.writeCommandCount() };
    };
    await assertNoPumpWrites({ steps: action, start, apply, settleMs: 600, numRuns: 12 }); // 0.6 s: a last poll cycle
  }, 120_000);

  it('positive control: the same harness carries exactly the commands of a fully signed order', async () => {
    const g = await startGateway();
    gateway = g;
    const done = await completeOrder({ ...g, writes: () => g.handler.writeCommandCount() });
    expect(done.state).toBe('verified');
    expect(g.handler.commandCounts()).toMatchObject({ REMOTE_CTRL_ENABLE: 1, INF_RATE: 1, REMOTE_CTRL_DISABLE: 1 });
    expect(g.model.snapshot().rateMlPerHour).toBe(7);
  });
});
