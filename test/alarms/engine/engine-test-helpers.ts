import { expect } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { METRICS, type MetricId } from '../../../src/model/metrics.js';
import type { Observation } from '../../../src/model/observation.js';
import type { DeviceCondition, DeviceStatus } from '../../../src/model/device-events.js';
import type { AlarmPriority } from '../../../src/alarms/alarm.js';
import type { ConditionSignal } from '../../../src/alarms/engine/condition-signal.js';
import type { EngineEvent } from '../../../src/alarms/engine/engine-events.js';

/** A TestScheduler that compares with vitest's deep equality. */
export function marbles(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

export function obs(metric: MetricId, value: number | null, deviceId = 'monitor', bedId = 'bed-1'): Observation {
  const def = METRICS[metric];
  return { bedId, deviceId, metric, code: def.code, value, unit: def.unit, deviceTime: null, receivedAt: 0, flags: value === null ? ['unavailable'] : [] };
}

/** Marble values: one observation of `metric` per key. */
export function values(metric: MetricId, byKey: Record<string, number | null>, deviceId = 'monitor'): Record<string, Observation> {
  return Object.fromEntries(Object.entries(byKey).map(([k, v]) => [k, obs(metric, v, deviceId)]));
}

/** A signal as a short string: `+SPO2_LOW 85` (holds, value 85) or `-SPO2_LOW 95` (ended). */
export function brief(s: ConditionSignal): string {
  return `${s.active ? '+' : '-'}${s.code} ${s.value}`;
}

export function signal(code: string, active: boolean, opts: { priority?: AlarmPriority; ruleId?: string; deviceId?: string | null; value?: number | null; alarmId?: string } = {}): ConditionSignal {
  return {
    ruleId: opts.ruleId ?? 'r1',
    code,
    deviceId: opts.deviceId === undefined ? 'monitor' : opts.deviceId,
    active,
    kind: 'physiological',
    priority: opts.priority ?? 'high',
    message: `${code} message ${opts.value ?? ''}`,
    value: opts.value ?? null,
    limit: null,
    at: 0,
    ...(opts.alarmId ? { alarmId: opts.alarmId } : {}),
  };
}

/** An engine event as a short string, for timelines. */
export function describeEvent(e: EngineEvent): string {
  switch (e.type) {
    case 'alarm': {
      const a = e.alarm;
      const flags = [a.latched && 'latched', a.acknowledged && 'ack', a.audioPaused && 'paused', a.escalationTier > 0 && `tier${a.escalationTier}`, !a.audible && e.phase !== 'end' && 'silent'].filter(Boolean);
      return `${e.phase} ${a.code} (${e.cause})${flags.length ? ` [${flags.join(',')}]` : ''}`;
    }
    case 'escalation':
      return `escalation ${e.code} tier ${e.tier} -> ${e.target}`;
    case 'acknowledgement':
      return `acknowledged ${e.code} by ${e.by}${e.ended ? ' (ended)' : ''}`;
    case 'audio-pause':
      return `audio ${e.state} ${e.alarmIds.length}${e.until !== null ? ` until ${e.until}` : ''}`;
    case 'alarm-off':
      return `alarm ${e.off ? 'off' : 'on'} ${e.ruleId} by ${e.by}`;
    case 'alarm-off-reminder':
      return `reminder ${e.ruleId} off since ${e.offSince}`;
  }
}

export function status(data: DeviceStatus['data'], opts: Partial<DeviceStatus> = {}): DeviceStatus {
  return {
    bedId: 'bed-1', deviceId: 'monitor', driver: 'test', link: 'open', data, lastDataAt: 0, since: 0, lastError: null,
    counters: { messages: 0, rejected: 0 }, ...opts,
  };
}

export function condition(code: string, active: boolean, opts: Partial<DeviceCondition> = {}): DeviceCondition {
  return { bedId: 'bed-1', deviceId: 'monitor', code, label: `${code} label`, kind: 'technical', active, at: 0, ...opts };
}
