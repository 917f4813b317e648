import type { SchedulerLike, Subject, Subscription } from 'rxjs';
import type { ConditionSignal } from './condition-signal.js';
import { createDeviceRoutes, seedKey, wireRule, type DeviceRoute, type EngineDevice } from './bed-wiring.js';
import type { AlarmRule } from './rule-schemas.js';

/** How a new profile's rules compare with the running ones, by rule id. */
export interface RuleDiff {
  readonly unchanged: readonly string[];
  /** Same id, different definition. */
  readonly changed: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
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
}

/**
 * The running rules of one bed: the device routes the dispatcher feeds (kept for the
 * engine's life) and, per rule, its operators' subscriptions, so that one rule can be
 * replaced while the others keep their state (docs/alarms.md "Runtime changes").
 */
export class BedRules {
  readonly routes: Map<string, DeviceRoute>;
  private readonly wired = new Map<string, WiredRule>();

  constructor(
    private readonly devices: readonly EngineDevice[],
    private readonly signals: Subject<ConditionSignal>,
    private readonly scheduler: SchedulerLike,
    private readonly onRuleError: (err: unknown) => void = () => undefined,
  ) {
    this.routes = createDeviceRoutes(devices);
  }

  /** Wires a profile's rules in profile order (engine start: nothing to replay). */
  start(rules: readonly AlarmRule[]): void {
    this.wire(rules, false, () => [], new Map());
  }

  /** Compares a new rule list with the running one. A changed pump rule counts the technical rule as changed too (they share the device's conditions). */
  diff(rules: readonly AlarmRule[]): RuleDiff {
    const next = new Map(rules.map((r) => [r.id, stableJson(r)]));
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
      if (w.rule.kind === 'pump') for (const route of this.routes.values()) route.pumpCodes = new Set();
      if (w.rule.kind === 'technical') {
        for (const route of this.routes.values()) {
          route.invalid = null;
          for (const ch of route.metrics.values()) ch.invalidOpen = false;
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
      const ctx = { routes: this.routes, scheduler: this.scheduler, signals: this.signals, replay, rawSignals, seeds: ruleSeeds, onRuleError: this.onRuleError };
      const wired: WiredRule = { rule, json: stableJson(rule), subs: [] };
      this.wired.set(rule.id, wired);
      // The array stays the rule's: a rule wired later (deferred-wiring.ts) adds to it.
      wireRule(rule, this.devices, ctx, wired.subs);
    }
  }

  /** Stops every operator. */
  dispose(): void {
    this.unwire([...this.wired.keys()]);
  }
}
