/**
 * A Modbus pump programmed end to end: the Modbus driver (real TCP transport, the shipped
 * map config/modbus-maps/reference-syringe-pump.yaml) reads the simulated reference pump;
 * its register lane is granted to a ModbusExecutor inside a ControlService wired by hand
 * (as src/daemon/pump-control.ts would). Only a double-signed order writes, it writes the
 * map's sequence once, and the read-back decides. Real time: the map polls every second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../src/core/clock.js';
import { isVigilError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import { GatewayBus } from '../../../src/bus/gateway-bus.js';
import { TcpTransport } from '../../../src/transport/tcp-transport.js';
import type { RegisterLane } from '../../../src/device/command-lane.js';
import { parseDrugLibrary } from '../../../src/config/drug-library.js';
import { openDatabase, type VigilDatabase } from '../../../src/store/database.js';
import { AuditLog } from '../../../src/audit/audit-log.js';
import { UserStore } from '../../../src/users/user-store.js';
import { SessionStore } from '../../../src/users/session-store.js';
import { ControlService } from '../../../src/control/order-workflow.js';
import type { PumpReading } from '../../../src/control/order-types.js';
import { ModbusExecutor } from '../../../src/control/modbus/modbus-executor.js';
import { modbusLocalChanges, modbusReadings } from '../../../src/control/modbus/modbus-readings.js';
import { modbusDriver, type ModbusDriver } from '../../../drivers/modbus/modbus-driver.js';
import { SimulatorHost } from '../../../simulators/sim-host.js';
import { FAST_SCRYPT, KETAMINE, PASSWORDS, TEST_LIBRARY_YAML } from '../control-fixture.js';
import { waitFor } from '../../helpers/wait-for.js';
import type { Observable } from 'rxjs';

describe('Modbus pump: confirmed orders end to end over Modbus TCP', () => {
  const logger = silentLogger();
  const clock = systemClock;
  let sims: SimulatorHost;
  let driver: ModbusDriver;
  let database: VigilDatabase;
  let control: ControlService;
  let readings$: Observable<PumpReading>;
  let token: string;

  const writes = () => sims.modbusPumpWriteCounts('bed-1', 'pump');
  const simPump = () => sims.describeBed('bed-1').pumps[0]!;
  /** Waits for a fresh reading of the pump at `rate` mL/h (the orders' base). */
  const readAt = (rate: number) => waitFor(readings$, (r) => r.fresh && r.rateMlPerHour !== null && Math.abs(r.rateMlPerHour - rate) < 0.005, 5000, `pump at ${rate} mL/h`);
  /** Waits until the driver has polled twice more (a late write would show by then). */
  const twoMorePolls = () => {
    const after = clock.now() + 1000;
    return waitFor(readings$, (r) => r.fresh && r.readAt !== null && r.readAt > after, 5000, 'two more polls');
  };

  beforeAll(async () => {
    sims = new SimulatorHost({ logger });
    sims.addBed('bed-1', { seed: 5, weightKg: 70 });
    const { port = 0 } = await sims.addDevice({
      bedId: 'bed-1', deviceId: 'pump', model: 'modbus-syringe-pump', listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
      pump: { concentrationMgPerMl: 10, rateMlPerHour: 5.25, running: true },
    });
    const options = modbusDriver.optionsSchema.parse({ map: 'reference-syringe-pump', framing: 'tcp', timeoutMs: 500, communicationLostAfterMs: 3000 });
    let lane: RegisterLane | undefined;
    driver = modbusDriver.create({
      bedId: 'bed-1', deviceId: 'pump', transport: new TcpTransport({ host: '127.0.0.1', port }, { logger }), bus: new GatewayBus(),
      logger, clock, options, registerLaneGrant: (granted) => (lane = granted),
    });
    if (!lane) throw new Error('the driver did not create a register lane for its grant');
    database = openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-modbus-e2e-')), 'vigil.sqlite'));
    const audit = new AuditLog(database, { clock });
    const users = new UserStore(database, audit, { clock, scrypt: FAST_SCRYPT });
    const sessions = new SessionStore(database, users, audit, { clock });
    await users.add({ username: 'ana', displayName: 'Ana', role: 'nurse', password: PASSWORDS.ana }, 'system');
    await users.add({ username: 'ben', displayName: 'Ben', role: 'nurse', password: PASSWORDS.ben }, 'system');
    readings$ = modbusReadings(driver.pumpState$);
    control = new ControlService({
      pumps: [{
        bedId: 'bed-1', deviceId: 'pump', label: 'Pump', programme: KETAMINE, readings$,
        localChanges$: modbusLocalChanges(driver.localChanges$),
        executor: new ModbusExecutor(lane, options.registerMap.pump!, readings$, clock, logger, {
          commandTimeoutMs: 500, readbackDeadlineMs: 4000, rateToleranceMlPerHour: 0.01,
        }),
      }],
      drugLibrary: parseDrugLibrary(TEST_LIBRARY_YAML, 'library.yaml'),
      database, audit, users, sessions, clock, logger,
    });
    driver.start();
    await readAt(5.25);
    token = (await control.login('ana', PASSWORDS.ana)).token;
  }, 20_000);

  afterAll(async () => {
    control?.close();
    await driver?.stop();
    database?.close();
    await sims?.stop();
  });

  it('without both signatures nothing is written; a double-signed order is written once and verified', async () => {
    const order = await control.requestRateChange(token, { bedId: 'bed-1', deviceId: 'pump', value: 1, unit: 'mg/kg/h' });
    expect(order.targetRateMlPerHour).toBe(7); // 1 mg/kg/h x 70 kg / 10 mg/mL
    await control.confirm(order.id, { username: 'ana', password: PASSWORDS.ana });
    expect(sims.pumpWriteCommandCount('bed-1', 'pump')).toBe(0);
    const done = await control.doubleCheck(order.id, { username: 'ben', password: PASSWORDS.ben }, 1);
    expect(done.state).toBe('verified');
    expect(done.readback).toMatchObject({ rateMlPerHour: 7, runState: 'running', fresh: true });
    expect(writes()).toEqual({ arm: 1, setpoint: 1, commit: 1, stop: 0, other: 0 });
    expect(simPump()).toMatchObject({ rateMlPerHour: 7, running: true });
  });

  it('unfinished orders never write: a bad signature, a cancellation, a missing double check', async () => {
    const before = sims.pumpWriteCommandCount('bed-1', 'pump');
    const rate = simPump().rateMlPerHour;
    await readAt(rate);
    const a = await control.requestRateChange(token, { bedId: 'bed-1', deviceId: 'pump', value: 0.5, unit: 'mg/kg/h' });
    await expect(control.confirm(a.id, { username: 'ana', password: 'wrong-password' })).rejects.toSatisfy((e) => isVigilError(e));
    control.cancel(a.id, token, 'e2e test');
    const b = await control.requestRateChange(token, { bedId: 'bed-1', deviceId: 'pump', value: 0.5, unit: 'mg/kg/h' });
    try {
      await control.confirm(b.id, { username: 'ana', password: PASSWORDS.ana });
      await twoMorePolls();
      expect(control.order(b.id)?.state).toBe('awaiting-double-check');
      expect(sims.pumpWriteCommandCount('bed-1', 'pump')).toBe(before);
      expect(simPump().rateMlPerHour).toBe(rate);
    } finally {
      control.cancel(b.id, token, 'e2e test');
    }
  });

  it('a pump that accepts the commit but runs another rate: not verified, exactly one commit, never retried', async () => {
    const rate = simPump().rateMlPerHour;
    await readAt(rate);
    sims.trigger('bed-1', 'pump', { type: 'wrong-rate', factor: 1.1 });
    const commitsBefore = writes().commit;
    const order = await control.requestRateChange(token, { bedId: 'bed-1', deviceId: 'pump', value: 0.6, unit: 'mg/kg/h' });
    await control.confirm(order.id, { username: 'ana', password: PASSWORDS.ana });
    const done = await control.doubleCheck(order.id, { username: 'ben', password: PASSWORDS.ben }, 0.6);
    expect(done.state).toBe('not-verified');
    expect(done.outcome?.code).toBe('READBACK_MISMATCH');
    expect(done.readback?.rateMlPerHour).toBeCloseTo(4.62, 2); // 4.2 mL/h ordered, x 1.1
    await twoMorePolls();
    expect(writes().commit - commitsBefore).toBe(1);
    sims.trigger('bed-1', 'pump', { type: 'resume' });
    control.acknowledgeOutcome(order.id, token);
  });

  it('a stop is one signature, arm + stop, verified stopped', async () => {
    const rate = simPump().rateMlPerHour;
    await readAt(rate);
    const stopsBefore = writes().stop;
    const order = await control.requestStop(token, 'bed-1', 'pump');
    const done = await control.confirm(order.id, { username: 'ana', password: PASSWORDS.ana });
    expect(done.state).toBe('verified');
    expect(writes().stop - stopsBefore).toBe(1);
    expect(simPump().running).toBe(false);
  });
});
