import { BehaviorSubject, Subject, type Subscription } from 'rxjs';
import { describeError, isVigilError } from '../../src/core/errors.js';
import { lazyHex, type Logger } from '../../src/core/logger.js';
import type { DriverContext } from '../../src/device/device-driver.js';
import { metricDefinition } from '../../src/model/metrics.js';
import type { TransportStatus } from '../../src/transport/byte-transport.js';
import { ConditionState, type ConditionEdge } from './condition-state.js';
import { FailureCounter } from './failure-counter.js';
import { decodeGroup, type GroupReading } from './group-decoder.js';
import { ModbusMaster } from './modbus-master.js';
import type { ModbusDriver } from './modbus-driver.js';
import type { ModbusOptions } from './modbus-options.js';
import { INITIAL_MODBUS_PUMP_STATE, ModbusPumpTracker, type ModbusPumpLocalChange, type ModbusPumpState } from './pump-state.js';
import type { PollGroup, RegisterMap } from './register-map.js';
import { createRegisterLane } from './register-lane.js';
import { StatusReporter } from '../shared/status-reporter.js';

export const MODBUS_DRIVER_ID = 'modbus';
/** DeviceStatus is republished at most this often when only counters moved. */
const STATUS_HEARTBEAT_MS = 5000;

/**
 * One running Modbus device, driven by its register map (docs/protocols/modbus.md): each poll
 * group is read every periodMs through the one request queue; values become observations,
 * status bits condition edges, failures MODBUS_ERRORS after errorThreshold in a row, and no
 * successful read for communicationLostAfterMs the data state 'silent'.
 * Every internal (master, queue, lane) is an ECMAScript #private member: nothing but start(),
 * stop() and the two read-only pump streams is reachable from the driver object.
 */
export class ModbusSession implements ModbusDriver {
  readonly #ctx: DriverContext<ModbusOptions>;
  readonly #map: RegisterMap;
  readonly #log: Logger;
  readonly #master: ModbusMaster;
  readonly #status: StatusReporter;
  readonly #conditions = new ConditionState();
  readonly #failures: FailureCounter;
  readonly #pump = new ModbusPumpTracker();
  readonly #stateSubject = new BehaviorSubject<ModbusPumpState>(INITIAL_MODBUS_PUMP_STATE);
  readonly #changeSubject = new Subject<ModbusPumpLocalChange>();
  /** The pump state (only ever updated for a map with a `pump` section). Completes on stop(). */
  readonly pumpState$ = this.#stateSubject.asObservable();
  /** Rate and run-state changes between consecutive reads. Completes on stop(). */
  readonly localChanges$ = this.#changeSubject.asObservable();

  #subscriptions: Subscription[] = [];
  #pollTimers: ReturnType<typeof setInterval>[] = [];
  #silenceTimer: ReturnType<typeof setTimeout> | null = null;
  #heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  readonly #busy = new Set<string>();
  /** Per metric field index: the measuredAt of the value last published. */
  readonly #publishedAt = new Map<number, number | null>();
  #linkOpen = false;
  #started = false;
  #stopped = false;

  constructor(ctx: DriverContext<ModbusOptions>) {
    this.#ctx = ctx;
    this.#map = ctx.options.registerMap;
    this.#log = ctx.logger.child({ component: 'driver', driver: MODBUS_DRIVER_ID, bedId: ctx.bedId, device: ctx.deviceId, map: this.#map.model });
    this.#failures = new FailureCounter(ctx.options.errorThreshold);
    this.#status = new StatusReporter(
      { bedId: ctx.bedId, deviceId: ctx.deviceId, driver: MODBUS_DRIVER_ID, model: this.#map.model },
      ctx.bus,
      () => ctx.clock.now(),
    );
    this.#master = new ModbusMaster(ctx.transport, {
      framing: ctx.options.framing,
      unitId: ctx.options.unitId,
      timeoutMs: ctx.options.timeoutMs,
      logger: this.#log,
      onRejected: (reason, bytes) => this.#onRejected(reason, bytes),
    });
    // The write lane exists only when the daemon granted one (to src/control/); this object
    // keeps no reference to it (docs/safety.md).
    if (this.#map.pump && ctx.registerLaneGrant) ctx.registerLaneGrant(createRegisterLane(this.#master, this.#map.pump, this.#log));
  }

  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#status.publish();
    this.#subscriptions.push(this.#ctx.transport.status$.subscribe((s) => this.#guard('link status', () => this.#onLinkStatus(s))));
    this.#armSilenceTimer();
    this.#heartbeatTimer = setInterval(() => this.#guard('heartbeat', () => this.#status.heartbeat()), STATUS_HEARTBEAT_MS);
    this.#ctx.transport.start();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    const wasStarted = this.#started;
    this.#stopped = true;
    this.#stopPolling();
    if (this.#silenceTimer) clearTimeout(this.#silenceTimer);
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer);
    this.#silenceTimer = this.#heartbeatTimer = null;
    this.#master.close('driver stopped');
    for (const s of this.#subscriptions) s.unsubscribe();
    this.#subscriptions = [];
    if (wasStarted) this.#publishEdges(this.#conditions.endAll(), this.#ctx.clock.now());
    await this.#ctx.transport.stop();
    this.#status.setLink('closed', null);
    this.#stateSubject.complete();
    this.#changeSubject.complete();
  }

  /** Runs an event handler; a bug in it is logged, never thrown into a stream or timer. */
  #guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#log.error({ err }, `internal error while handling ${what}`);
    }
  }

  #onLinkStatus(s: TransportStatus): void {
    this.#status.setLink(s.state, s.error);
    const open = s.state === 'open';
    if (open === this.#linkOpen) return;
    this.#linkOpen = open;
    if (open) {
      this.#startPolling();
      return;
    }
    this.#stopPolling();
    this.#master.abortAll(`link ${s.state}${s.error ? `: ${s.error}` : ''}`);
    this.#publishedAt.clear();
    if (this.#stateSubject.value.fresh) {
      this.#pump.markStale();
      this.#emitState();
    }
  }

  #startPolling(): void {
    this.#stopPolling();
    for (const group of this.#map.pollGroups) {
      this.#pollTimers.push(setInterval(() => this.#poll(group), group.periodMs));
      this.#poll(group);
    }
  }

  #stopPolling(): void {
    for (const t of this.#pollTimers) clearInterval(t);
    this.#pollTimers = [];
  }

  /** Reads one group, unless its previous read is still queued or in flight. */
  #poll(group: PollGroup): void {
    if (this.#busy.has(group.id) || this.#stopped || !this.#linkOpen) return;
    this.#busy.add(group.id);
    const description = `read ${group.id} (${group.table} ${group.start}-${group.start + group.count - 1})`;
    this.#master
      .readRegisters(group.table, group.start, group.count, { description })
      .then(
        (block) => this.#guard(description, () => this.#onRead(group, block)),
        (err: unknown) => this.#guard(description, () => this.#onReadFailed(group, err)),
      )
      .finally(() => this.#busy.delete(group.id));
  }

  #onRead(group: PollGroup, block: readonly number[]): void {
    if (this.#stopped) return;
    const at = this.#ctx.clock.now();
    // Failures counted while silent are covered by COMMUNICATION_LOST; after it, count afresh.
    if (this.#status.dataState === 'silent') this.#failures.clear();
    this.#status.countMessage(at);
    this.#status.setData('receiving');
    this.#armSilenceTimer();
    this.#failures.success(group.id);
    const reading = decodeGroup(this.#map, group, block);
    this.#publishEdges([...this.#errorEdges(), ...this.#conditions.applyBits(reading.bits)], at);
    this.#publishObservations(reading, at);
    if (this.#map.pump) {
      const changes = this.#pump.apply(reading, at, this.#conditions.deviceCodes);
      this.#emitState();
      for (const change of changes) {
        this.#log.info({ change }, 'pump changed since the last read');
        this.#changeSubject.next(change);
      }
    }
  }

  #onReadFailed(group: PollGroup, err: unknown): void {
    if (this.#stopped || isVigilError(err, 'COMMAND_ABORTED')) {
      this.#log.debug({ err: describeError(err), group: group.id }, 'read aborted');
      return;
    }
    const message = describeError(err);
    const failures = this.#failures.failure(group.id, message);
    this.#status.setError(message);
    const level = failures.count === 1 || failures.count === this.#ctx.options.errorThreshold ? 'warn' : 'debug';
    this.#log[level]({ group: group.id, consecutive: failures.count, code: isVigilError(err) ? err.code : undefined }, message);
    this.#publishEdges(this.#errorEdges(), this.#ctx.clock.now());
  }

  /** MODBUS_ERRORS follows the failure counts; while silent, COMMUNICATION_LOST covers it. */
  #errorEdges(): ConditionEdge[] {
    const worst = this.#failures.overThreshold();
    const label =
      worst && this.#status.dataState !== 'silent'
        ? `Modbus errors: ${worst.count} failed reads in a row of "${worst.groupId}" (last: ${worst.lastError})`
        : null;
    return this.#conditions.setErrors(label);
  }

  #publishObservations(reading: GroupReading, at: number): void {
    const { bedId, deviceId, bus } = this.#ctx;
    for (const m of reading.metrics) {
      if (m.field.measuredAtRegister !== undefined) {
        // A value with its own measurement time (e.g. NIBP) is published once per measurement.
        const index = this.#map.metrics.indexOf(m.field);
        if (this.#publishedAt.has(index) && this.#publishedAt.get(index) === m.measuredAtMs) continue;
        this.#publishedAt.set(index, m.measuredAtMs);
      }
      const def = metricDefinition(m.field.metric);
      bus.publishObservation({
        bedId, deviceId, metric: def.id, code: def.code, value: m.value, unit: def.unit,
        deviceTime: m.measuredAtMs, receivedAt: at, flags: m.value === null ? ['unavailable'] : [],
      });
    }
  }

  #publishEdges(edges: readonly ConditionEdge[], at: number): void {
    const { bedId, deviceId, bus } = this.#ctx;
    for (const e of edges) bus.publishCondition({ bedId, deviceId, code: e.code, label: e.label, kind: e.kind, active: e.active, at });
  }

  #emitState(): void {
    const state = this.#pump.state;
    if (!this.#stateSubject.closed && state !== this.#stateSubject.value) this.#stateSubject.next(state);
  }

  #onRejected(reason: string, bytes: Buffer | null): void {
    this.#status.countRejected();
    this.#log.debug({ reason, ...(bytes ? { hex: lazyHex(bytes) } : {}) }, 'received bytes rejected');
  }

  /** (Re)starts the silence timer: no successful read for communicationLostAfterMs -> 'silent'. */
  #armSilenceTimer(): void {
    if (this.#silenceTimer) clearTimeout(this.#silenceTimer);
    if (this.#stopped) return;
    this.#silenceTimer = setTimeout(() => this.#guard('silence', () => this.#onSilence()), this.#ctx.options.communicationLostAfterMs);
  }

  #onSilence(): void {
    this.#silenceTimer = null;
    if (this.#status.dataState === 'silent' || this.#stopped) return;
    this.#log.warn({ afterMs: this.#ctx.options.communicationLostAfterMs }, 'device silent: no successful read');
    this.#status.setData('silent');
    this.#publishEdges(this.#conditions.endAll(), this.#ctx.clock.now());
    this.#publishedAt.clear();
    if (this.#map.pump) {
      this.#pump.markStale(true);
      this.#emitState();
    }
  }
}
