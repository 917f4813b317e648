import { Subject, filter, merge, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { METRIC_IDS, type MetricId } from '../../model/metrics.js';
import type { Observation } from '../../model/observation.js';
import type { DeviceCondition } from '../../model/device-events.js';
import type { ConditionSignal } from './condition-signal.js';
import { combinationCondition, type CombinationInput } from './combination-condition.js';
import { invalidDataCondition } from './invalid-data-condition.js';
import { limitCondition } from './limit-condition.js';
import { PHYSICAL_RANGES, metricCodeStem } from './metric-naming.js';
import type { AlarmProfile } from './profile-schema.js';
import { pumpCondition } from './pump-condition.js';
import { rateOfChangeCondition } from './rate-of-change-condition.js';
import type { AlarmRule, CombinationRule, PumpRule } from './rule-schemas.js';
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
}

/** Everything the dispatcher needs of one device. */
export interface DeviceRoute {
  readonly metrics: Map<MetricId, MetricChannel>;
  readonly technical: Subject<TechnicalInput>;
  readonly pump: Subject<DeviceCondition> | null;
  readonly pumpCodes: ReadonlySet<string>;
}

/** The helpers one rule is wired with. */
interface WiringContext {
  readonly routes: Map<string, DeviceRoute>;
  readonly scheduler: SchedulerLike;
  readonly signals: Subject<ConditionSignal>;
  channel(deviceId: string, metric: MetricId): MetricChannel;
  valid(deviceId: string, metric: MetricId): Observable<Observation>;
  feed(signal$: Observable<ConditionSignal>): void;
}

/**
 * Builds the rules of one bed from its profile: one operator instance per rule and device
 * (per bed for combinations), each fed by its own channels, all emitting into `signals`.
 * Returns the routes the dispatcher looks up by device and metric.
 */
export function wireBedRules(
  profile: AlarmProfile,
  devices: readonly EngineDevice[],
  signals: Subject<ConditionSignal>,
  scheduler: SchedulerLike,
  subscriptions: Subscription[],
): Map<string, DeviceRoute> {
  const pumpRule = profile.rules.find((r): r is PumpRule => r.kind === 'pump') ?? null;
  const routes = new Map<string, DeviceRoute>();
  for (const d of devices) {
    const isPump = d.pump === true && pumpRule !== null;
    routes.set(d.deviceId, {
      metrics: new Map(),
      technical: new Subject(),
      pump: isPump ? new Subject() : null,
      pumpCodes: new Set(isPump ? Object.keys(pumpRule.conditions) : []),
    });
  }
  const channel = (deviceId: string, metric: MetricId): MetricChannel => {
    const route = routes.get(deviceId) as DeviceRoute;
    let ch = route.metrics.get(metric);
    if (!ch) {
      const [min, max] = PHYSICAL_RANGES[metric];
      ch = { min, max, valid: null, all: null, invalidOpen: false };
      route.metrics.set(metric, ch);
    }
    return ch;
  };
  const ctx: WiringContext = {
    routes,
    scheduler,
    signals,
    channel,
    valid: (deviceId, metric) => {
      const ch = channel(deviceId, metric);
      ch.valid ??= new Subject();
      return ch.valid;
    },
    feed: (signal$) => {
      subscriptions.push(signal$.subscribe({ next: (s) => signals.next(s) }));
    },
  };
  for (const rule of profile.rules) {
    if (rule.kind === 'combination') {
      wireCombination(rule, devices, ctx);
      continue;
    }
    const only = 'device' in rule ? rule.device : undefined;
    for (const d of devices) if (only === undefined || d.deviceId === only) wireDeviceRule(rule, d, ctx);
  }
  return routes;
}

function wireDeviceRule(rule: Exclude<AlarmRule, CombinationRule>, device: EngineDevice, ctx: WiringContext): void {
  const { deviceId } = device;
  const deviceLabel = device.label ?? deviceId;
  const { scheduler, valid, feed } = ctx;
  switch (rule.kind) {
    case 'limit': {
      const { metric, low, high, hysteresis, delayMs, priority } = rule;
      const codeStem = rule.codeStem ?? metricCodeStem(metric);
      feed(valid(deviceId, metric).pipe(limitCondition({ ruleId: rule.id, deviceId, metric, codeStem, low, high, hysteresis, delayMs, priority }, scheduler)));
      return;
    }
    case 'sustained': {
      const terms = rule.any ?? rule.all ?? [];
      const input = merge(...new TermValues(terms).metrics.map((m) => valid(deviceId, m)));
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
      feed(valid(deviceId, metric).pipe(rateOfChangeCondition({ ruleId: rule.id, deviceId, metric, code, direction, delta, windowMs, priority }, scheduler)));
      return;
    }
    case 'stale':
      for (const metric of rule.metrics) {
        const spec = { ruleId: rule.id, deviceId, deviceLabel, metric, afterMs: rule.afterMs, priority: rule.priority };
        feed(valid(deviceId, metric).pipe(staleMetricCondition(spec, scheduler)));
      }
      return;
    case 'technical': {
      const route = ctx.routes.get(deviceId) as DeviceRoute;
      const { communicationLost, sensorOff, deviceTechnical, deviceAlarm, codes, invalidData } = rule;
      const spec = { ruleId: rule.id, deviceId, deviceLabel, communicationLost, sensorOff, deviceTechnical, deviceAlarm, codes };
      feed(route.technical.pipe(technicalCondition(spec, scheduler)));
      if (invalidData === null) return;
      for (const metric of METRIC_IDS) {
        const all = new Subject<Observation>();
        ctx.channel(deviceId, metric).all = all;
        feed(all.pipe(invalidDataCondition({ ruleId: rule.id, deviceId, deviceLabel, metric, priority: invalidData }, scheduler)));
      }
      return;
    }
    case 'pump': {
      const pump = ctx.routes.get(deviceId)?.pump;
      if (pump) feed(pump.pipe(pumpCondition({ ruleId: rule.id, deviceId, deviceLabel, conditions: rule.conditions }, scheduler)));
      return;
    }
  }
}

/** A combination reads its metrics from every device of the bed, and the bed's signals of its codes. */
function wireCombination(rule: CombinationRule, devices: readonly EngineDevice[], ctx: WiringContext): void {
  const metrics = new Set(rule.terms.flatMap((t) => ('metric' in t ? [t.metric] : [])));
  const codes = new Set(rule.terms.flatMap((t) => ('code' in t ? [t.code] : [])));
  const inputs: Observable<CombinationInput>[] = [...metrics].flatMap((m) => devices.map((d) => ctx.valid(d.deviceId, m)));
  if (codes.size > 0) inputs.push(ctx.signals.pipe(filter((s) => codes.has(s.code))));
  const spec = { ruleId: rule.id, code: rule.code, priority: rule.priority, mode: rule.mode, terms: rule.terms, delayMs: rule.delayMs };
  ctx.feed(merge(...inputs).pipe(combinationCondition(spec, ctx.scheduler)));
}
