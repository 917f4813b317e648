import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BehaviorSubject, Subject, VirtualTimeScheduler } from 'rxjs';
import type { AlarmEvent } from '../../src/alarms/alarm.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import type { Clock } from '../../src/core/clock.js';
import { VigilError, isVigilError } from '../../src/core/errors.js';
import type { ConfirmedOrder } from '../../src/control/confirmed-order.js';
import type { ControlledPump, PumpLocalChangeInput } from '../../src/control/controlled-pump.js';
import { parseDrugLibrary, type DrugLibrary } from '../../src/config/drug-library.js';
import type { InfusionProgramme, PumpReading } from '../../src/control/order-types.js';
import { ControlService, type ControlServiceOptions } from '../../src/control/order-workflow.js';
import type { ExecutionOutcome, PumpExecutor } from '../../src/control/pump-executor.js';
import { openDatabase, type VigilDatabase } from '../../src/store/database.js';
import { SessionStore } from '../../src/users/session-store.js';
import { UserStore } from '../../src/users/user-store.js';

/** Fast scrypt for tests (the store lets us inject it). */
export const FAST_SCRYPT = { cost: 2 ** 10, blockSize: 8, parallelization: 1 };
export const START_MS = Date.UTC(2026, 2, 1, 8, 0, 0);
export const PASSWORDS = { ana: 'ana-password-1', ben: 'ben-password-2', cy: 'cy-password-33', 'dr.cho': 'cho-password-4', root: 'root-password-5' } as const;
export type Username = keyof typeof PASSWORDS;

export const TEST_LIBRARY_YAML = `
drugs:
  - id: ketamine
    name: Ketamine
    highAlert: true
    dosingUnit: mg/kg/h
    concentrationsMgPerMl: [1, 2, 10]
    limits: { hardMin: 0.05, softMin: 0.15, softMax: 1.5, hardMax: 2.0 }
  - id: test-fluid
    name: Test fluid
    highAlert: false
    dosingUnit: mL/h
    concentrationsMgPerMl: [1]
    limits: { hardMin: 0.5, softMin: 1, softMax: 100, hardMax: 200 }
`;

export const KETAMINE: InfusionProgramme = {
  drugId: 'ketamine',
  drugName: 'Ketamine',
  concentrationMgPerMl: 10,
  patientWeightKg: 70,
  highAlert: true,
  dosingUnit: 'mg/kg/h',
};
export const FLUID: InfusionProgramme = {
  drugId: 'test-fluid',
  drugName: 'Test fluid',
  concentrationMgPerMl: 1,
  patientWeightKg: 70,
  highAlert: false,
  dosingUnit: 'mL/h',
};

/** A pump whose readings and keypad changes the test drives, with a recording executor. */
export class FakePump implements ControlledPump, PumpExecutor {
  readonly readings: BehaviorSubject<PumpReading>;
  readonly localChanges = new Subject<PumpLocalChangeInput>();
  readonly readings$;
  readonly localChanges$ = this.localChanges.asObservable();
  readonly executor: PumpExecutor = this;
  readonly calls: ConfirmedOrder[] = [];
  /** What the pump does with an order; default: takes it and reads back as ordered. */
  behaviour: (order: ConfirmedOrder) => Promise<ExecutionOutcome> = async (order) => this.takes(order);

  constructor(
    readonly bedId: string,
    readonly deviceId: string,
    readonly label: string,
    readonly programme: InfusionProgramme,
    initial: PumpReading,
    private readonly clock: Clock,
  ) {
    this.readings = new BehaviorSubject<PumpReading>(initial);
    this.readings$ = this.readings.asObservable();
  }

  execute(order: ConfirmedOrder): Promise<ExecutionOutcome> {
    this.calls.push(order);
    return this.behaviour(order);
  }

  /** The pump runs what it was told: reading and driver change event, then verified. */
  takes(order: ConfirmedOrder): ExecutionOutcome {
    const before = this.readings.value;
    const readback: PumpReading = {
      ...before,
      rateMlPerHour: order.targetRateMlPerHour ?? before.rateMlPerHour,
      runState: order.targetRunState,
      readAt: this.clock.now(),
    };
    this.readings.next(readback);
    if (order.kind === 'stop') {
      this.localChanges.next({ kind: 'run-state', before: 'running', after: 'stopped', rateAfterMlPerHour: null, runStateAfter: 'stopped', at: this.clock.now() });
    } else {
      this.localChanges.next({
        kind: 'rate',
        before: `${before.rateMlPerHour?.toFixed(2)} mL/h`,
        after: `${readback.rateMlPerHour?.toFixed(2)} mL/h`,
        rateAfterMlPerHour: readback.rateMlPerHour,
        runStateAfter: null,
        at: this.clock.now(),
      });
    }
    return { verified: true, readback, steps: [{ at: this.clock.now(), command: 'INF_RATE^x^ml/h', reply: 'INF_RATE^x^ml/h', result: 'accepted' }] };
  }

  /** A change made at the keypad. */
  keypadRate(rateMlPerHour: number): void {
    const before = this.readings.value;
    this.readings.next({ ...before, rateMlPerHour, readAt: this.clock.now() });
    this.localChanges.next({
      kind: 'rate',
      before: `${before.rateMlPerHour?.toFixed(2)} mL/h`,
      after: `${rateMlPerHour.toFixed(2)} mL/h`,
      rateAfterMlPerHour: rateMlPerHour,
      runStateAfter: null,
      at: this.clock.now(),
    });
  }

  set(patch: Partial<PumpReading>): void {
    this.readings.next({ ...this.readings.value, ...patch });
  }
}

/** A temp database with users, a virtual-time scheduler driving the clock, two pumps and the service. */
export class ControlFixture {
  readonly dir = mkdtempSync(join(tmpdir(), 'vigil-control-'));
  readonly scheduler = new VirtualTimeScheduler();
  readonly clock: Clock = { now: () => this.scheduler.now(), monotonic: () => this.scheduler.now() };
  readonly drugLibrary: DrugLibrary = parseDrugLibrary(TEST_LIBRARY_YAML, 'test-library.yaml');
  db!: VigilDatabase;
  audit!: AuditLog;
  users!: UserStore;
  sessions!: SessionStore;
  ketaminePump!: FakePump;
  fluidPump!: FakePump;
  service!: ControlService;
  readonly alarmEvents: AlarmEvent[] = [];
  readonly ids = new Map<Username, number>();

  private constructor() {
    this.scheduler.frame = START_MS;
  }

  static async create(overrides: Partial<ControlServiceOptions> = {}): Promise<ControlFixture> {
    const f = new ControlFixture();
    await f.open(true, overrides);
    return f;
  }

  /** Opens (again) the database and a new service on it, as a restarted gateway would. */
  async open(addUsers: boolean, overrides: Partial<ControlServiceOptions> = {}): Promise<void> {
    this.db = openDatabase(join(this.dir, 'vigil.sqlite'));
    this.audit = new AuditLog(this.db, { clock: this.clock });
    this.users = new UserStore(this.db, this.audit, { clock: this.clock, scrypt: FAST_SCRYPT });
    this.sessions = new SessionStore(this.db, this.users, this.audit, { clock: this.clock });
    if (addUsers) {
      const roles: Record<Username, 'nurse' | 'physician' | 'admin'> = { ana: 'nurse', ben: 'nurse', cy: 'nurse', 'dr.cho': 'physician', root: 'admin' };
      for (const [username, role] of Object.entries(roles) as [Username, 'nurse' | 'physician' | 'admin'][]) {
        const user = await this.users.add({ username, displayName: username.toUpperCase(), role, password: PASSWORDS[username] }, 'cli:test');
        this.ids.set(username, user.id);
      }
    }
    const reading = (rateMlPerHour: number, serial: string): PumpReading => ({
      rateMlPerHour,
      runState: 'running',
      serial,
      volumeInfusedMl: 1.5,
      vtbiRemainingMl: 20,
      fresh: true,
      readAt: this.clock.now(),
    });
    this.ketaminePump = new FakePump('bed-1', 'pump', 'Bed 1 pump', KETAMINE, reading(5.25, 'ASENA0001'), this.clock);
    this.fluidPump = new FakePump('bed-2', 'pump', 'Bed 2 pump', FLUID, reading(10, 'ASENA0002'), this.clock);
    this.service = new ControlService({
      pumps: [this.ketaminePump, this.fluidPump],
      drugLibrary: this.drugLibrary,
      database: this.db,
      audit: this.audit,
      users: this.users,
      sessions: this.sessions,
      clock: this.clock,
      scheduler: this.scheduler,
      ...overrides,
    });
    this.service.alarms$.subscribe((e) => this.alarmEvents.push(e));
  }

  /** Closes the service and database without removing the files (a restart follows). */
  shutdown(): void {
    this.service.close();
    this.db.close();
  }

  dispose(): void {
    this.shutdown();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async login(username: Username): Promise<string> {
    return (await this.service.login(username, PASSWORDS[username])).token;
  }

  sign(username: Username): { username: string; password: string } {
    return { username, password: PASSWORDS[username] };
  }

  /** Moves virtual time forward by `ms`, running every timer due on the way. */
  advance(ms: number): void {
    const target = this.scheduler.now() + ms;
    this.scheduler.schedule(() => undefined, ms);
    this.scheduler.maxFrames = target;
    this.scheduler.flush();
  }

  /** Moves the clock forward without running timers (a timer that is late). */
  clockJump(ms: number): void {
    this.scheduler.frame += ms;
  }

  /** Audit actions after `afterSeq`, in order. */
  actionsSince(afterSeq: number): string[] {
    return this.audit.query({ limit: 1000 }).filter((e) => e.seq > afterSeq).map((e) => e.action);
  }
}

/** The VigilError a call throws or rejects with (fails the test when none). */
export async function failure(fn: () => unknown): Promise<VigilError> {
  try {
    await fn();
  } catch (err) {
    if (isVigilError(err)) return err;
    throw err;
  }
  throw new Error('expected a VigilError, nothing was thrown');
}
