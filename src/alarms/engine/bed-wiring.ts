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
import type { AlarmRule, CombinationRule, LimitRule, PumpRule, RateOfChangeRule, StaleRule, SustainedRule, TechnicalRule } from './rule-schemas.js';
import { staleMetricCondition } from './stale-metric-condition.js';
import { sustainedDurationCondition, sustainedReadingsCondition } from './sustained-condition.js';
import { technicalCondition, type TechnicalInput } from './technical-condition.js';
import { TermValues } from './term-values.js';
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
}

/** Position of each metric in `DeviceRoute.channels`. */
export const METRIC_INDEX: ReadonlyMap<MetricId, number> = new Map(METRIC_IDS.map((m, i) => [m, i]));

/** Everything the dispatcher needs of one device. Lives as long as the engine, across profile changes. */
export interface DeviceRoute {
  readonly deviceId: string;
  /**
   * The device's channels in METRIC_INDEX order (an array index, not a hash table),
   * each made when first needed (`channelOf`): a device has channels only for the
   * metrics it sends or a rule reads.
   */
  readonly channels: (MetricChannel | undefined)[];
  readonly technical: Subject<TechnicalInput>;
  /** Implausible values of every metric, for the technical rule's invalid-data operator (null without one). */
  invalid: Subject<Observation> | null;
  /** Called with a metric before the device's first value of it reaches the rules (wires the rules waiting for it). */
  firstValue: ((metric: MetricId) => void) | null;
  /** Present for a `pump: true` device. */
  readonly pump: Subject<DeviceCondition> | null;
  /** Condition codes the profile's pump rule takes (the others go to the technical rule). */
  pumpCodes: ReadonlySet<string>;
  /** The device's latest status, replayed into a technical rule wired at runtime. */
  status: DeviceStatus | null;
  /** The device's conditions that hold now, by code, replayed likewise. */
  readonly conditions: Map<string, DeviceCondition>;
}

/** A device's channel of a metric (by METRIC_INDEX position), made on first use. */
export function channelAt(route: DeviceRoute, index: number): MetricChannel {
  let ch = route.channels[index];
  if (ch === undefined) {
    const [min, max] = PHYSICAL_RANGES[METRIC_IDS[index]!];
    ch = { min, max, valid: null, invalidOpen: false, last: null };
    route.channels[index] = ch;
  }
  return ch;
}

/** A route per device; channels come with the first value or rule that needs them. */
export function createDeviceRoutes(devices: readonly EngineDevice[]): Map<string, DeviceRoute> {
  const routes = new Map<string, DeviceRoute>();
  for (const d of devices) {
    const channels = new Array<MetricChannel | undefined>(METRIC_IDS.length).fill(undefined);
    routes.set(d.deviceId, { deviceId: d.deviceId, channels, technical: new Subject(), invalid: null, firstValue: null, pump: d.pump === true ? new Subject() : null, pumpCodes: new Set(), status: null, conditions: new Map() });
  }
  return routes;
}

/** What one rule is wired with. */
export interface WiringContext {
  readonly routes: Map<string, DeviceRoute>;
  readonly scheduler: SchedulerLike;
  readonly signals: Subject<ConditionSignal>;
  /** One observer per bed: passes an operator's signals into `signals`, reports an operator's error. */
  readonly sink: { readonly next: (s: ConditionSignal) => void; readonly error: (err: unknown) => void };
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

/** Rules that read one device's metrics: wired per device when it first sends one of them. */
export type MetricRule = LimitRule | SustainedRule | RateOfChangeRule | StaleRule;

export function isMetricRule(rule: AlarmRule): rule is MetricRule {
  return rule.kind === 'limit' || rule.kind === 'sustained' || rule.kind === 'rate-of-change' || rule.kind === 'stale';
}

/** The metrics a metric rule reads (a stale rule runs one operator per metric). */
export function ruleMetrics(rule: MetricRule): readonly MetricId[] {
  switch (rule.kind) {
    case 'limit':
    case 'rate-of-change':
      return [rule.metric];
    case 'sustained':
      return new TermValues(rule.any ?? rule.all ?? []).metrics;
    case 'stale':
      return rule.metrics;
  }
}

/** Whether a rule applies to a device (a rule may name one). */
export function appliesTo(rule: AlarmRule, deviceId: string): boolean {
  return !('device' in rule) || rule.device === undefined || rule.device === deviceId;
}

/** Whether the device has sent a value (or a null) of the metric. */
export function seen(ctx: WiringContext, deviceId: string, metric: MetricId): boolean {
  const ch = ctx.routes.get(deviceId)?.channels[METRIC_INDEX.get(metric)!];
  return ch !== undefined && ch.last !== null;
}

/**
 * Wires one rule that is not a metric rule (technical, pump, combination): one operator
 * instance per device (per bed for combinations), each fed by its channels, all emitting
 * into `signals`; the subscriptions go into `subs`.
 */
export function wireRule(rule: Exclude<AlarmRule, MetricRule>, devices: readonly EngineDevice[], ctx: WiringContext, subs: Subscription[]): void {
  const feed = feedInto(ctx, subs);
  if (rule.kind === 'combination') {
    wireCombination(rule, devices, ctx, feed);
    return;
  }
  for (const d of devices) if (appliesTo(rule, d.deviceId)) wireDeviceRule(rule, d, ctx, feed);
}

/**
 * Wires a metric rule on one device (a stale rule: on one of its metrics, `metric`). The
 * rule kinds start from the device's first value and run no timer before it, so wiring
 * at that value (bed-rules.ts) changes no outcome.
 */
export function wireMetricRule(rule: MetricRule, device: EngineDevice, ctx: WiringContext, subs: Subscription[], metric?: MetricId): void {
  const { deviceId } = device;
  const feed = feedInto(ctx, subs);
  const { scheduler } = ctx;
  switch (rule.kind) {
    case 'limit':
      wireLimit(rule, deviceId, ctx, feed);
      return;
    case 'sustained':
      wireSustained(rule, deviceId, ctx, feed);
      return;
    case 'rate-of-change': {
      const { direction, delta, windowMs, priority } = rule;
      const code = rule.code ?? `${metricCodeStem(rule.metric)}_${direction === 'falling' ? 'FALLING' : 'RISING'}`;
      const spec = { ruleId: rule.id, deviceId, metric: rule.metric, code, direction, delta, windowMs, priority };
      feed(valid(ctx, deviceId, rule.metric).pipe(rateOfChangeCondition(spec, scheduler)));
      return;
    }
    case 'stale': {
      const m = metric ?? rule.metrics[0]!;
      const initiallyStale = ctx.seeds.has(seedKey(deviceId, `${metricCodeStem(m)}_STALE`));
      const spec = { ruleId: rule.id, deviceId, deviceLabel: device.label ?? deviceId, metric: m, afterMs: rule.afterMs, priority: rule.priority, initiallyStale };
      // A stale condition that held goes on holding: its last (old) value is not replayed.
      feed(valid(ctx, deviceId, m, ctx.replay && !initiallyStale).pipe(staleMetricCondition(spec, scheduler)));
      return;
    }
  }
}

function feedInto(ctx: WiringContext, subs: Subscription[]): Feed {
  return (signal$) => {
    subs.push(signal$.subscribe(ctx.sink));
  };
}

function channel(ctx: WiringContext, deviceId: string, metric: MetricId): MetricChannel {
  return channelAt(ctx.routes.get(deviceId) as DeviceRoute, METRIC_INDEX.get(metric)!);
}

/** The plausible values of a metric of a device, preceded by its latest one when wired at runtime. */
function valid(ctx: WiringContext, deviceId: string, metric: MetricId, replay = ctx.replay): Observable<Observation> {
  const ch = channel(ctx, deviceId, metric);
  ch.valid ??= new FanOut(ctx.onRuleError);
  return replay && ch.last !== null ? concat(from([ch.last]), ch.valid) : ch.valid;
}

type Feed = (signal$: Observable<ConditionSignal>) => void;

function wireDeviceRule(rule: TechnicalRule | PumpRule, device: EngineDevice, ctx: WiringContext, feed: Feed): void {
  const { deviceId } = device;
  const deviceLabel = device.label ?? deviceId;
  const { scheduler } = ctx;
  switch (rule.kind) {
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
      for (const ch of route.channels) if (ch) ch.invalidOpen = false;
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
