import { Subject, concat, filter, from, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
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
import type { AlarmRule, CombinationRule, LimitRule, SustainedRule } from './rule-schemas.js';
import { staleMetricCondition } from './stale-metric-condition.js';
import { sustainedDurationCondition, sustainedReadingsCondition } from './sustained-condition.js';
import { technicalCondition, type TechnicalInput } from './technical-condition.js';
import { TermValues } from './term-values.js';
import { whenMeasured, type DeferredWiring } from './deferred-wiring.js';
import { FanOut, fanIn } from './fan-out.js';

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
 * (and nulls) go to `valid` (the rules); implausible ones only to the device's `invalid`
 * stream (invalid data), followed by the first plausible value after them so that the
 * condition can end.
 */
export interface MetricChannel {
  readonly min: number;
  readonly max: number;
  valid: FanOut<Observation> | null;
  /** An implausible value went to the device's `invalid` stream and no plausible one since. */
  invalidOpen: boolean;
  /**
   * The latest plausible observation (or null value): replayed into a rule wired at
   * runtime. Non-null once the device has sent the metric.
   */
  last: Observation | null;
  /** Rules waiting for the device's first value of this metric (deferred-wiring.ts); null when none. */
  pending: DeferredWiring[] | null;
}

/** Position of each metric in `DeviceRoute.channels`. */
export const METRIC_INDEX: ReadonlyMap<MetricId, number> = new Map(METRIC_IDS.map((m, i) => [m, i]));

/** Everything the dispatcher needs of one device. Lives as long as the engine, across profile changes. */
export interface DeviceRoute {
  readonly deviceId: string;
  readonly metrics: Map<MetricId, MetricChannel>;
  /** The same channels in METRIC_INDEX order: the dispatcher's lookup (an array index, not a per-device hash table). */
  readonly channels: readonly MetricChannel[];
  readonly technical: Subject<TechnicalInput>;
  /** Implausible values of every metric, for the technical rule's invalid-data operator (null without one). */
  invalid: Subject<Observation> | null;
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
    const channels = METRIC_IDS.map((metric): MetricChannel => {
      const [min, max] = PHYSICAL_RANGES[metric];
      return { min, max, valid: null, invalidOpen: false, last: null, pending: null };
    });
    const metrics = new Map(METRIC_IDS.map((m, i) => [m, channels[i]!]));
    routes.set(d.deviceId, { deviceId: d.deviceId, metrics, channels, technical: new Subject(), invalid: null, pump: d.pump === true ? new Subject() : null, pumpCodes: new Set(), status: null, conditions: new Map() });
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
  /** A rule operator threw on an observation (a bug): reported, the other rules go on. */
  readonly onRuleError: (err: unknown) => void;
}

export const seedKey = (deviceId: string | null, code: string): string => `${deviceId ?? ''}\u0000${code}`;

/**
 * Wires one rule: one operator instance per device (per bed for combinations), each fed
 * by its channels, all emitting into `signals`. The rule's subscriptions go into `subs`,
 * now or later: a rule on a device's metrics is wired when the device first sends one of
 * them (`whenMeasured`), so a pump carries no SpO2 rules and a bed costs only the
 * operators its devices feed.
 */
export function wireRule(rule: AlarmRule, devices: readonly EngineDevice[], ctx: WiringContext, subs: Subscription[]): void {
  const feed = (signal$: Observable<ConditionSignal>) => {
    subs.push(signal$.subscribe({ next: (s) => ctx.signals.next(s) }));
  };
  if (rule.kind === 'combination') {
    wireCombination(rule, devices, ctx, feed);
    return;
  }
  const only = 'device' in rule ? rule.device : undefined;
  for (const d of devices) if (only === undefined || d.deviceId === only) wireDeviceRule(rule, d, ctx, feed, subs);
}

function channel(ctx: WiringContext, deviceId: string, metric: MetricId): MetricChannel {
  return ctx.routes.get(deviceId)?.metrics.get(metric) as MetricChannel;
}

/** The plausible values of a metric of a device, preceded by its latest one when wired at runtime. */
function valid(ctx: WiringContext, deviceId: string, metric: MetricId, replay = ctx.replay): Observable<Observation> {
  const ch = channel(ctx, deviceId, metric);
  ch.valid ??= new FanOut(ctx.onRuleError);
  return replay && ch.last !== null ? concat(from([ch.last]), ch.valid) : ch.valid;
}

type Feed = (signal$: Observable<ConditionSignal>) => void;

function wireDeviceRule(rule: Exclude<AlarmRule, CombinationRule>, device: EngineDevice, ctx: WiringContext, feed: Feed, subs: Subscription[]): void {
  const { deviceId } = device;
  const deviceLabel = device.label ?? deviceId;
  const { scheduler } = ctx;
  const channelOf = (metric: MetricId) => channel(ctx, deviceId, metric);
  switch (rule.kind) {
    case 'limit':
      whenMeasured(ctx, [channelOf(rule.metric)], (c) => wireLimit(rule, deviceId, c, feed), subs);
      return;
    case 'sustained':
      whenMeasured(ctx, new TermValues(rule.any ?? rule.all ?? []).metrics.map(channelOf), (c) => wireSustained(rule, deviceId, c, feed), subs);
      return;
    case 'rate-of-change': {
      const { metric, direction, delta, windowMs, priority } = rule;
      const code = rule.code ?? `${metricCodeStem(metric)}_${direction === 'falling' ? 'FALLING' : 'RISING'}`;
      const spec = { ruleId: rule.id, deviceId, metric, code, direction, delta, windowMs, priority };
      whenMeasured(ctx, [channelOf(metric)], (c) => feed(valid(c, deviceId, metric).pipe(rateOfChangeCondition(spec, scheduler))), subs);
      return;
    }
    case 'stale':
      for (const metric of rule.metrics) {
        whenMeasured(ctx, [channelOf(metric)], (c) => {
          const initiallyStale = c.seeds.has(seedKey(deviceId, `${metricCodeStem(metric)}_STALE`));
          const spec = { ruleId: rule.id, deviceId, deviceLabel, metric, afterMs: rule.afterMs, priority: rule.priority, initiallyStale };
          // A stale condition that held goes on holding: its last (old) value is not replayed.
          feed(valid(c, deviceId, metric, c.replay && !initiallyStale).pipe(staleMetricCondition(spec, scheduler)));
        }, subs);
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
      for (const ch of route.metrics.values()) ch.invalidOpen = false;
      route.invalid = null;
      if (invalidData === null) return;
      const invalid = new Subject<Observation>();
      route.invalid = invalid;
      feed(invalid.pipe(invalidDataCondition({ ruleId: rule.id, deviceId, deviceLabel, priority: invalidData }, scheduler)));
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

function wireLimit(rule: LimitRule, deviceId: string, ctx: WiringContext, feed: Feed): void {
  const { metric, low, high, hysteresis, delayMs, priority } = rule;
  const codeStem = rule.codeStem ?? metricCodeStem(metric);
  const seedLow = ctx.seeds.get(seedKey(deviceId, `${codeStem}_LOW`));
  const seedHigh = ctx.seeds.get(seedKey(deviceId, `${codeStem}_HIGH`));
  const seed = seedLow ?? seedHigh;
  const initial = seed?.value != null ? { side: seed === seedLow ? ('low' as const) : ('high' as const), value: seed.value } : undefined;
  const spec = { ruleId: rule.id, deviceId, metric, codeStem, low, high, hysteresis, delayMs, priority, ...(initial ? { initial } : {}) };
  feed(valid(ctx, deviceId, metric).pipe(limitCondition(spec, ctx.scheduler)));
}

function wireSustained(rule: SustainedRule, deviceId: string, ctx: WiringContext, feed: Feed): void {
  const terms = rule.any ?? rule.all ?? [];
  const input = fanIn(new TermValues(terms).metrics.map((m) => valid(ctx, deviceId, m)));
  const spec = { ruleId: rule.id, deviceId, code: rule.code, priority: rule.priority, mode: rule.any ? ('any' as const) : ('all' as const), terms };
  const operator = rule.readings
    ? sustainedReadingsCondition({ ...spec, readings: rule.readings }, ctx.scheduler)
    : sustainedDurationCondition({ ...spec, durationMs: rule.durationMs ?? 0 }, ctx.scheduler);
  feed(input.pipe(operator));
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
  feed(fanIn(inputs).pipe(combinationCondition(spec, ctx.scheduler)));
}
