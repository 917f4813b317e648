import type { SchedulerLike, Subject, Subscription } from 'rxjs';
import type { ConditionSignal } from './condition-signal.js';
import type { MetricId } from '../../model/metrics.js';
import {
  appliesTo, createDeviceRoutes, isMetricRule, ruleMetrics, seedKey, seen, wireMetricRule, wireRule,
  type DeviceRoute, type EngineDevice, type MetricRule, type WiringContext,
} from './bed-wiring.js';
import type { AlarmRule } from './rule-schemas.js';

/** How a new profile's rules compare with the running ones, by rule id. */
export interface RuleDiff {
  readonly unchanged: readonly string[];
  /** Same id, different definition. */
  readonly changed: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** A rule's stableJson, computed once per rule object (beds with the same profile share its rules). */
const ruleJson = new WeakMap<AlarmRule, string>();
function jsonOfRule(rule: AlarmRule): string {
  let json = ruleJson.get(rule);
  if (json === undefined) {
    json = stableJson(rule);
    ruleJson.set(rule, json);
  }
  return json;
}

/** JSON with sorted keys: two definitions of a rule compare equal whatever their key order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

interface WiredRule {
  readonly rule: AlarmRule;
  readonly json: string;
  readonly subs: Subscription[];
  /** A metric rule: where it runs, by device id (a stale rule: `<device>\0<metric>`); null until it runs anywhere. */
  on: Set<string> | null;
}

/** Metric rules by the metrics they read, for one rule list (shared by the beds of a profile). */
const indexOfRules = new WeakMap<readonly AlarmRule[], ReadonlyMap<MetricId, readonly MetricRule[]>>();
function indexByMetric(rules: readonly AlarmRule[]): ReadonlyMap<MetricId, readonly MetricRule[]> {
  const index = new Map<MetricId, MetricRule[]>();
  for (const rule of rules) {
    if (!isMetricRule(rule)) continue;
    for (const metric of ruleMetrics(rule)) index.set(metric, [...(index.get(metric) ?? []), rule]);
  }
  return index;
}

const placeOf = (rule: MetricRule, deviceId: string, metric: MetricId): string => (rule.kind === 'stale' ? `${deviceId}\u0000${metric}` : deviceId);

/**
 * The running rules of one bed: the device routes the dispatcher feeds (kept for the
 * engine's life) and, per rule, its operators' subscriptions, so that one rule can be
 * replaced while the others keep their state (docs/alarms.md "Runtime changes").
 *
 * A rule on a device's metrics (limit, sustained, rate of change, stale) runs on a device
 * from its first value of one of them: the dispatcher calls `firstValue` then. So a pump
 * carries no SpO2 rules and a bed costs only the operators its devices feed; nothing
 * waits per rule and device, the bed looks its metric up in an index of its rules.
 */
export class BedRules {
  readonly routes: Map<string, DeviceRoute>;
  private readonly wired = new Map<string, WiredRule>();
  /** Metric rules by metric: the profile's shared index at start, rebuilt after a runtime change. */
  private index: ReadonlyMap<MetricId, readonly MetricRule[]> = new Map();
  /** How rules wired at a device's first value are wired: nothing to replay, no seeds. */
  private readonly lateCtx: WiringContext;
  /** Every operator's observer: its signals go to the bed; an operator that fails (a bug) is reported and stops alone. */
  private readonly sink = { next: (s: ConditionSignal) => this.signals.next(s), error: (err: unknown) => this.onRuleError(err) };

  constructor(
    private readonly devices: readonly EngineDevice[],
    private readonly signals: Subject<ConditionSignal>,
    private readonly scheduler: SchedulerLike,
    private readonly onRuleError: (err: unknown) => void = () => undefined,
  ) {
    this.routes = createDeviceRoutes(devices);
    for (const route of this.routes.values()) route.firstValue = (metric) => this.firstValue(route.deviceId, metric);
    this.lateCtx = { routes: this.routes, scheduler, signals, sink: this.sink, replay: false, rawSignals: () => [], seeds: new Map(), onRuleError };
  }

  /** Wires a profile's rules in profile order (engine start: nothing to replay). */
  start(rules: readonly AlarmRule[]): void {
    this.wire(rules, false, () => [], new Map());
    let index = indexOfRules.get(rules);
    if (!index) {
      index = indexByMetric(rules);
      indexOfRules.set(rules, index);
    }
    this.index = index;
  }

  /** A device's first value of a metric is about to reach the rules: runs the metric rules that wait for it. */
  private firstValue(deviceId: string, metric: MetricId): void {
    const device = this.devices.find((d) => d.deviceId === deviceId);
    if (!device) return;
    for (const rule of this.index.get(metric) ?? []) {
      const w = this.wired.get(rule.id);
      if (w?.rule !== rule || !appliesTo(rule, deviceId)) continue;
      const place = placeOf(rule, deviceId, metric);
      if (w.on?.has(place)) continue;
      (w.on ??= new Set()).add(place);
      wireMetricRule(rule, device, this.lateCtx, w.subs, metric);
    }
  }

  /** Compares a new rule list with the running one. A changed pump rule counts the technical rule as changed too (they share the device's conditions). */
  diff(rules: readonly AlarmRule[]): RuleDiff {
    const next = new Map(rules.map((r) => [r.id, jsonOfRule(r)]));
    const unchanged: string[] = [];
    const changed: string[] = [];
    const added = rules.filter((r) => !this.wired.has(r.id)).map((r) => r.id);
    const removed = [...this.wired.keys()].filter((id) => !next.has(id));
    for (const [id, w] of this.wired) {
      const json = next.get(id);
      if (json === undefined) continue;
      (json === w.json ? unchanged : changed).push(id);
    }
    const kindOf = (id: string) => this.wired.get(id)?.rule.kind ?? rules.find((r) => r.id === id)?.kind;
    const pumpMoved = [...changed, ...added, ...removed].some((id) => kindOf(id) === 'pump');
    const technical = unchanged.find((id) => kindOf(id) === 'technical');
    if (pumpMoved && technical !== undefined) {
      unchanged.splice(unchanged.indexOf(technical), 1);
      changed.push(technical);
    }
    return { unchanged, changed, added, removed };
  }

  /** Stops the operators of these rules and undoes their routing. */
  unwire(ids: Iterable<string>): void {
    for (const id of ids) {
      const w = this.wired.get(id);
      if (!w) continue;
      for (const s of w.subs) s.unsubscribe();
      this.wired.delete(id);
      this.index = indexByMetric([...this.wired.values()].map((w) => w.rule));
      if (w.rule.kind === 'pump') for (const route of this.routes.values()) route.pumpCodes = new Set();
      if (w.rule.kind === 'technical') {
        for (const route of this.routes.values()) {
          route.invalid = null;
          for (const ch of route.channels) if (ch) ch.invalidOpen = false;
        }
      }
    }
  }

  /**
   * Wires rules. At runtime (`replay`), each new operator first gets the latest state, and
   * `seeds` (per rule id) tells it which of its conditions held under the old definition.
   * The pump rule is wired before the technical rule, which needs its codes.
   */
  wire(
    rules: readonly AlarmRule[],
    replay: boolean,
    rawSignals: () => Iterable<ConditionSignal>,
    seeds: ReadonlyMap<string, readonly ConditionSignal[]>,
  ): void {
    const ordered = replay ? [...rules].sort((a, b) => Number(b.kind === 'pump') - Number(a.kind === 'pump')) : rules;
    for (const rule of ordered) {
      const ruleSeeds = new Map((seeds.get(rule.id) ?? []).map((s) => [seedKey(s.deviceId, s.code), s]));
      const ctx = { routes: this.routes, scheduler: this.scheduler, signals: this.signals, sink: this.sink, replay, rawSignals, seeds: ruleSeeds, onRuleError: this.onRuleError };
      const wired: WiredRule = { rule, json: jsonOfRule(rule), subs: [], on: null };
      this.wired.set(rule.id, wired);
      if (!isMetricRule(rule)) {
        wireRule(rule, this.devices, ctx, wired.subs);
        continue;
      }
      // Runs now where the device has sent one of its metrics (replaying the latest state), elsewhere at the first value.
      for (const device of this.devices) {
        if (!appliesTo(rule, device.deviceId)) continue;
        const metrics = ruleMetrics(rule);
        for (const metric of rule.kind === 'stale' ? metrics : [metrics.find((m) => seen(ctx, device.deviceId, m))]) {
          if (metric === undefined || !seen(ctx, device.deviceId, metric)) continue;
          (wired.on ??= new Set()).add(placeOf(rule, device.deviceId, metric));
          wireMetricRule(rule, device, ctx, wired.subs, metric);
        }
      }
    }
    if (replay) this.index = indexByMetric([...this.wired.values()].map((w) => w.rule));
  }

  /** Stops every operator. */
  dispose(): void {
    this.unwire([...this.wired.keys()]);
  }
}
