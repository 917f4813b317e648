import { Subject, concat, filter, from, merge, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { METRIC_IDS, type MetricId } from '../../model/metrics.js';
import type { Observation } from '../../model/observation.js';
import type { DeviceCondition, DeviceStatus } from '../../model/device-events.js';
import type { ConditionSignal } from './condition-signal.js';
import { combinationCondition, type CombinationInput } from './combination-condition.js';
import { invalidDataCondition } from './invalid-data-condition.js';
import { limitCondition } from './limit-condition.js';
import { PHYSICAL_RANGES, metricCodeStem } from './metric-naming.js';
import { pumpCondition } from './pump-condition.js';
import { rateOfChangeCondition } from './rate-of-change-condition.js';
import type { AlarmRule, CombinationRule } from './rule-schemas.js';
import { staleMetricCondition } from './stale-metric-condition.js';
import { sustainedDurationCondition, sustainedReadingsCondition } from './sustained-condition.js';
import { technicalCondition, type TechnicalInput } from './technical-condition.js';
import { TermValues } from './term-values.js';

/** A device of a bed as the engine sees it. */
export interface EngineDevice {
  readonly deviceId: string;
  /** What messages call it, e.g. `Oximeter` (default: the id). */
  readonly label?: string;
  /** An infusion pump: its conditions go to the profile's pump rule. */
  readonly pump?: boolean;
}

/**
 * Where the dispatcher sends one device's observations of one metric. Plausible values
 * (and nulls) go to `valid` (the rules); implausible ones only to `all` (invalid data),
 * followed by the first plausible value after them so that the condition can end.
 */
export interface MetricChannel {
  readonly min: number;
  readonly max: number;
  valid: Subject<Observation> | null;
  all: Subject<Observation> | null;
  /** An implausible value was sent to `all` and no plausible one since. */
  invalidOpen: boolean;
  /** The latest plausible observation (or null value): replayed into a rule wired at runtime. */
  last: Observation | null;
}

/** Everything the dispatcher needs of one device. Lives as long as the engine, across profile changes. */
export interface DeviceRoute {
  readonly metrics: Map<MetricId, MetricChannel>;
  readonly technical: Subject<TechnicalInput>;
  /** Present for a `pump: true` device. */
  readonly pump: Subject<DeviceCondition> | null;
  /** Condition codes the profile's pump rule takes (the others go to the technical rule). */
  pumpCodes: ReadonlySet<string>;
  /** The device's latest status, replayed into a technical rule wired at runtime. */
  status: DeviceStatus | null;
  /** The device's conditions that hold now, by code, replayed likewise. */
  readonly conditions: Map<string, DeviceCondition>;
}

/** One channel per metric for each device, so the latest value of every metric is known. */
export function createDeviceRoutes(devices: readonly EngineDevice[]): Map<string, DeviceRoute> {
  const routes = new Map<string, DeviceRoute>();
  for (const d of devices) {
    const metrics = new Map<MetricId, MetricChannel>();
    for (const metric of METRIC_IDS) {
      const [min, max] = PHYSICAL_RANGES[metric];
      metrics.set(metric, { min, max, valid: null, all: null, invalidOpen: false, last: null });
    }
    routes.set(d.deviceId, { metrics, technical: new Subject(), pump: d.pump === true ? new Subject() : null, pumpCodes: new Set(), status: null, conditions: new Map() });
  }
  return routes;
}

/** What one rule is wired with. */
export interface WiringContext {
  readonly routes: Map<string, DeviceRoute>;
  readonly scheduler: SchedulerLike;
  readonly signals: Subject<ConditionSignal>;
  /**
   * Wired at runtime (a profile change): each new operator first gets the latest state
   * (last values, device status and conditions, the bed's raw conditions of its codes).
   */
  readonly replay: boolean;
  /** The bed's raw conditions now (for the code terms of a combination). */
  readonly rawSignals: () => Iterable<ConditionSignal>;
  /** Conditions of this rule that held under its previous definition, by `<deviceId>\0<code>`. */
  readonly seeds: ReadonlyMap<string, ConditionSignal>;
}

export const seedKey = (deviceId: string | null, code: string): string => `${deviceId ?? ''}\u0000${code}`;

/**
 * Wires one rule: one operator instance per device (per bed for combinations), each fed
 * by its channels, all emitting into `signals`. Returns the rule's subscriptions.
 */
export function wireRule(rule: AlarmRule, devices: readonly EngineDevice[], ctx: WiringContext): Subscription[] {
  const subs: Subscription[] = [];
  const feed = (signal$: Observable<ConditionSignal>) => {
    subs.push(signal$.subscribe({ next: (s) => ctx.signals.next(s) }));
  };
  if (rule.kind === 'combination') {
    wireCombination(rule, devices, ctx, feed);
    return subs;
  }
  const only = 'device' in rule ? rule.device : undefined;
  for (const d of devices) if (only === undefined || d.deviceId === only) wireDeviceRule(rule, d, ctx, feed);
  return subs;
}

function channel(ctx: WiringContext, deviceId: string, metric: MetricId): MetricChannel {
  return ctx.routes.get(deviceId)?.metrics.get(metric) as MetricChannel;
}

/** The plausible values of a metric of a device, preceded by its latest one when wired at runtime. */
function valid(ctx: WiringContext, deviceId: string, metric: MetricId, replay = ctx.replay): Observable<Observation> {
  const ch = channel(ctx, deviceId, metric);
  ch.valid ??= new Subject();
  return replay && ch.last !== null ? concat(from([ch.last]), ch.valid) : ch.valid;
}

type Feed = (signal$: Observable<ConditionSignal>) => void;

function wireDeviceRule(rule: Exclude<AlarmRule, CombinationRule>, device: EngineDevice, ctx: WiringContext, feed: Feed): void {
  const { deviceId } = device;
  const deviceLabel = device.label ?? deviceId;
  const { scheduler } = ctx;
  switch (rule.kind) {
    case 'limit': {
      const { metric, low, high, hysteresis, delayMs, priority } = rule;
      const codeStem = rule.codeStem ?? metricCodeStem(metric);
      const seedLow = ctx.seeds.get(seedKey(deviceId, `${codeStem}_LOW`));
      const seedHigh = ctx.seeds.get(seedKey(deviceId, `${codeStem}_HIGH`));
      const seed = seedLow ?? seedHigh;
      const initial = seed?.value != null ? { side: seed === seedLow ? ('low' as const) : ('high' as const), value: seed.value } : undefined;
      const spec = { ruleId: rule.id, deviceId, metric, codeStem, low, high, hysteresis, delayMs, priority, ...(initial ? { initial } : {}) };
      feed(valid(ctx, deviceId, metric).pipe(limitCondition(spec, scheduler)));
      return;
    }
    case 'sustained': {
      const terms = rule.any ?? rule.all ?? [];
      const input = merge(...new TermValues(terms).metrics.map((m) => valid(ctx, deviceId, m)));
      const spec = { ruleId: rule.id, deviceId, code: rule.code, priority: rule.priority, mode: rule.any ? ('any' as const) : ('all' as const), terms };
      const operator = rule.readings
        ? sustainedReadingsCondition({ ...spec, readings: rule.readings }, scheduler)
        : sustainedDurationCondition({ ...spec, durationMs: rule.durationMs ?? 0 }, scheduler);
      feed(input.pipe(operator));
      return;
    }
    case 'rate-of-change': {
      const { metric, direction, delta, windowMs, priority } = rule;
      const code = rule.code ?? `${metricCodeStem(metric)}_${direction === 'falling' ? 'FALLING' : 'RISING'}`;
      feed(valid(ctx, deviceId, metric).pipe(rateOfChangeCondition({ ruleId: rule.id, deviceId, metric, code, direction, delta, windowMs, priority }, scheduler)));
      return;
    }
    case 'stale':
      for (const metric of rule.metrics) {
        const initiallyStale = ctx.seeds.has(seedKey(deviceId, `${metricCodeStem(metric)}_STALE`));
        const spec = { ruleId: rule.id, deviceId, deviceLabel, metric, afterMs: rule.afterMs, priority: rule.priority, initiallyStale };
        // A stale condition that held goes on holding: its last (old) value is not replayed.
        feed(valid(ctx, deviceId, metric, ctx.replay && !initiallyStale).pipe(staleMetricCondition(spec, scheduler)));
      }
      return;
    case 'technical': {
      const route = ctx.routes.get(deviceId) as DeviceRoute;
      const { communicationLost, sensorOff, deviceTechnical, deviceAlarm, codes, invalidData } = rule;
      const spec = { ruleId: rule.id, deviceId, deviceLabel, communicationLost, sensorOff, deviceTechnical, deviceAlarm, codes };
      const state: TechnicalInput[] = [];
      if (ctx.replay) {
        if (route.status) state.push(route.status);
        for (const c of route.conditions.values()) if (!(route.pump && route.pumpCodes.has(c.code))) state.push(c);
      }
      feed(concat(from(state), route.technical).pipe(technicalCondition(spec, scheduler)));
      for (const metric of METRIC_IDS) {
        const ch = channel(ctx, deviceId, metric);
        ch.invalidOpen = false;
        ch.all = null;
        if (invalidData === null) continue;
        const all = new Subject<Observation>();
        ch.all = all;
        feed(all.pipe(invalidDataCondition({ ruleId: rule.id, deviceId, deviceLabel, metric, priority: invalidData }, scheduler)));
      }
      return;
    }
    case 'pump': {
      const route = ctx.routes.get(deviceId) as DeviceRoute;
      if (!route.pump) return;
      route.pumpCodes = new Set(Object.keys(rule.conditions));
      const state = ctx.replay ? [...route.conditions.values()].filter((c) => route.pumpCodes.has(c.code)) : [];
      feed(concat(from(state), route.pump).pipe(pumpCondition({ ruleId: rule.id, deviceId, deviceLabel, conditions: rule.conditions }, scheduler)));
      return;
    }
  }
}

/** A combination reads its metrics from every device of the bed, and the bed's signals of its codes. */
function wireCombination(rule: CombinationRule, devices: readonly EngineDevice[], ctx: WiringContext, feed: Feed): void {
  const metrics = new Set(rule.terms.flatMap((t) => ('metric' in t ? [t.metric] : [])));
  const codes = new Set(rule.terms.flatMap((t) => ('code' in t ? [t.code] : [])));
  const inputs: Observable<CombinationInput>[] = [...metrics].flatMap((m) => devices.map((d) => valid(ctx, d.deviceId, m)));
  if (codes.size > 0) {
    const held = ctx.replay ? [...ctx.rawSignals()].filter((s) => codes.has(s.code)) : [];
    inputs.push(concat(from(held), ctx.signals.pipe(filter((s) => codes.has(s.code)))));
  }
  const spec = { ruleId: rule.id, code: rule.code, priority: rule.priority, mode: rule.mode, terms: rule.terms, delayMs: rule.delayMs };
  feed(merge(...inputs).pipe(combinationCondition(spec, ctx.scheduler)));
}
