/**
 * Safety rule 1 as a property, for the Modbus pump (the Asena's is in
 * no-write-without-confirmation.test.ts): the Modbus driver over real TCP reads the
 * simulated reference syringe pump (shipped map), its register lane is granted to a
 * ModbusExecutor inside the ControlService, and the real alarm engine runs on the driver's
 * bus and the control module's alarms. Whatever the pump does (alarms, keypad changes,
 * link faults, garbage on the line) and whatever clinicians start without completing
 * (requests, wrong passwords, cancellations, a first signature only, a double check by the
 * same nurse or with another value), the pump receives no write request (Modbus functions
 * 6 or 16, refused or not). A positive control shows the same harness writes once an order
 * is fully signed, so the property cannot hold vacuously. Real time: the map polls every
 * second.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { GatewayBus } from '../../src/bus/gateway-bus.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import type { RegisterLane } from '../../src/device/command-lane.js';
import { createAlarmEngine } from '../../src/alarms/engine/alarm-engine.js';
import { loadAlarmProfiles } from '../../src/alarms/engine/profile-loader.js';
import { parseDrugLibrary } from '../../src/config/drug-library.js';
import { openDatabase } from '../../src/store/database.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { UserStore } from '../../src/users/user-store.js';
import { SessionStore } from '../../src/users/session-store.js';
import { ControlService } from '../../src/control/order-workflow.js';
import { ModbusExecutor } from '../../src/control/modbus/modbus-executor.js';
import { modbusLocalChanges, modbusReadings } from '../../src/control/modbus/modbus-readings.js';
import { modbusDriver } from '../../drivers/modbus/modbus-driver.js';
import { SimulatorHost } from '../../simulators/sim-host.js';
import { FAST_SCRYPT, KETAMINE, PASSWORDS, TEST_LIBRARY_YAML } from '../control/control-fixture.js';
import { waitFor } from '../helpers/wait-for.js';
import { applyOrderOrWaitStep, assertNoPumpWrites, completeOrder, quietly, orderOrWaitStep } from './no-write-property.js';

async function startGateway() {
  const logger = silentLogger();
  const clock = systemClock;
  const sims = new SimulatorHost({ logger });
  sims.addBed('bed-1', { seed: 11, weightKg: 70 });
  const { port = 0 } = await sims.addDevice({
    bedId: 'bed-1', deviceId: 'pump', model: 'modbus-syringe-pump', listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
    pump: { concentrationMgPerMl: 10, rateMlPerHour: 5.25, running: true },
  });
  const options = modbusDriver.optionsSchema.parse({ map: 'reference-syringe-pump', framing: 'tcp', timeoutMs: 300, communicationLostAfterMs: 3000 });
  const bus = new GatewayBus();
  let lane: RegisterLane | undefined;
  const driver = modbusDriver.create({
    bedId: 'bed-1', deviceId: 'pump', transport: new TcpTransport({ host: '127.0.0.1', port }, { logger }), bus,
    logger, clock, options, registerLaneGrant: (granted) => (lane = granted),
  });
  if (!lane) throw new Error('the driver did not create a register lane for its grant');
  const database = openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-prop-modbus-')), 'vigil.sqlite'));
  const audit = new AuditLog(database, { clock });
  const users = new UserStore(database, audit, { clock, scrypt: FAST_SCRYPT });
  const sessions = new SessionStore(database, users, audit, { clock });
  await users.add({ username: 'ana', displayName: 'Ana', role: 'nurse', password: PASSWORDS.ana }, 'system');
  await users.add({ username: 'ben', displayName: 'Ben', role: 'nurse', password: PASSWORDS.ben }, 'system');
  const readings$ = modbusReadings(driver.pumpState$);
  const control = new ControlService({
    pumps: [{
      bedId: 'bed-1', deviceId: 'pump', label: 'Pump', programme: KETAMINE, readings$,
      localChanges$: modbusLocalChanges(driver.localChanges$),
      executor: new ModbusExecutor(lane, options.registerMap.pump!, readings$, clock, logger, { commandTimeoutMs: 300, readbackDeadlineMs: 3000, rateToleranceMlPerHour: 0.01 }),
    }],
    drugLibrary: parseDrugLibrary(TEST_LIBRARY_YAML, 'library.yaml'),
    database, audit, users, sessions, clock, logger,
  });
  const engine = createAlarmEngine({
    beds: [{ bedId: 'bed-1', profile: loadAlarmProfiles().get('ketamine-iv')!, devices: [{ deviceId: 'pump', pump: true }] }],
    inputs: { observations$: bus.observations$, status$: bus.status$, conditions$: bus.conditions$, external$: control.alarms$ },
  });
  const alarmEvents = engine.events$.subscribe();
  driver.start();
  await waitFor(readings$, (r) => r.fresh, 5000, 'a first pump reading');
  return {
    sims, control,
    writes: () => sims.pumpWriteCommandCount('bed-1', 'pump'),
    async stop() {
      alarmEvents.unsubscribe();
      engine.stop();
      control.close();
      await driver.stop();
      database.close();
      await sims.stop();
    },
  };
}

type Gateway = Awaited<ReturnType<typeof startGateway>>;

const deviceStep = fc.oneof(
  fc.record({ t: fc.constant('pump-event' as const), type: fc.constantFrom('occlusion', 'air-in-line', 'door-open', 'low-battery', 'clear-alarms', 'keypad-stop', 'keypad-start', 'garbage', 'resume') }),
  fc.record({ t: fc.constant('keypad-rate' as const), rate: fc.integer({ min: 1, max: 200 }).map((r) => r / 10) }),
  fc.record({ t: fc.constant('link-fault' as const), type: fc.constantFrom('corrupt-replies', 'silence', 'disconnect'), seconds: fc.integer({ min: 1, max: 2 }) }),
);
const action = fc.oneof(deviceStep, orderOrWaitStep);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

async function apply(g: Gateway, a: Action, token: string): Promise<void> {
  switch (a.t) {
    case 'pump-event':
      await quietly(() => g.sims.trigger('bed-1', 'pump', { type: a.type }));
      return;
    case 'keypad-rate':
      await quietly(() => g.sims.trigger('bed-1', 'pump', { type: 'keypad-rate', rateMlPerHour: a.rate }));
      return;
    case 'link-fault':
      await quietly(() => g.sims.trigger('bed-1', 'pump', { type: a.type, seconds: a.seconds }));
      return;
    default:
      await applyOrderOrWaitStep(g.control, a, token);
  }
}

describe('no Modbus pump write without a completed order', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
  });

  it('random pump alarms, keypad changes, link faults and unfinished orders never write to the pump', async () => {
    await assertNoPumpWrites({ steps: action, start: startGateway, apply, settleMs: 1100, numRuns: 6 }); // 1.1 s: a last poll of the map
  }, 120_000);

  it('positive control: the same harness writes the map sequence once for a fully signed order', async () => {
    const g = await startGateway();
    gateway = g;
    const done = await completeOrder(g);
    expect(done.state).toBe('verified');
    expect(g.sims.modbusPumpWriteCounts('bed-1', 'pump')).toMatchObject({ arm: 1, setpoint: 1, commit: 1, stop: 0, other: 0 });
    expect(g.writes()).toBeGreaterThan(0);
  }, 20_000);
});
