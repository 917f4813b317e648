import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { communicationLostAlarm, deviceConditionAlarms } from '../../src/alarms/technical-alarms.js';
import type { DeviceCondition, DeviceStatus } from '../../src/model/device-events.js';
import type { AlarmEvent } from '../../src/alarms/alarm.js';

const naming = { bedId: 'bed-1', deviceId: 'oximeter', label: 'Oximeter' };

function status(data: DeviceStatus['data'], link: DeviceStatus['link'] = 'open', lastError: string | null = null): DeviceStatus {
  return {
    bedId: 'bed-1', deviceId: 'oximeter', driver: 'masimo-ascii', link, data, lastDataAt: 1, since: 0, lastError,
    counters: { messages: 0, rejected: 0 },
  };
}

function collect<T>(marbles: string, values: Record<string, T>, op: (s: TestScheduler) => (src: import('rxjs').Observable<T>) => import('rxjs').Observable<AlarmEvent>) {
  const scheduler = new TestScheduler(() => undefined);
  const seen: string[] = [];
  scheduler.run(({ cold, flush }) => {
    cold(marbles, values).pipe(op(scheduler)).subscribe((e) => seen.push(`${e.phase} ${e.alarm.code} ${e.alarm.priority} ${e.alarm.message}`));
    flush();
  });
  return seen;
}

describe('communicationLostAlarm', () => {
  it('alarms while the device is silent, updates when the reason changes, ends when data flows again', () => {
    const seen = collect(
      'r-s-d-d-r',
      { r: status('receiving'), s: status('silent'), d: status('silent', 'connecting', 'ECONNREFUSED 127.0.0.1:4101') },
      (s) => communicationLostAlarm(naming, 'medium', s),
    );
    expect(seen).toEqual([
      'start COMMUNICATION_LOST medium Oximeter: communication lost (connected, no valid data)',
      'update COMMUNICATION_LOST medium Oximeter: communication lost (link connecting: ECONNREFUSED 127.0.0.1:4101)',
      'end COMMUNICATION_LOST medium Oximeter: communication lost (link connecting: ECONNREFUSED 127.0.0.1:4101)',
    ]);
  });

  it('stays quiet while data is awaited or received', () => {
    expect(collect('a-r-r', { a: status('awaiting'), r: status('receiving') }, (s) => communicationLostAlarm(naming, 'high', s))).toEqual([]);
  });
});

describe('deviceConditionAlarms', () => {
  const cond = (code: string, kind: DeviceCondition['kind'], active: boolean): DeviceCondition => ({
    bedId: 'bed-1', deviceId: 'oximeter', code, label: code.toLowerCase().replace(/_/g, ' '), kind, active, at: 0,
  });
  const priorities = { sensorOff: 'medium', technical: 'low', physiological: 'high' } as const;

  it('maps sensor-off, other technical and physiological device conditions to their priorities', () => {
    const seen = collect(
      'a-b-c-A-B',
      {
        a: cond('SENSOR_OFF', 'technical', true),
        b: cond('LOW_PERFUSION', 'technical', true),
        c: cond('SPO2_LOW', 'physiological', true),
        A: cond('SENSOR_OFF', 'technical', false),
        B: cond('LOW_PERFUSION', 'technical', false),
      },
      (s) => deviceConditionAlarms(naming, priorities, s),
    );
    expect(seen).toEqual([
      'start SENSOR_OFF medium Oximeter: sensor off',
      'start LOW_PERFUSION low Oximeter: low perfusion',
      'start DEVICE_SPO2_LOW high Oximeter: spo2 low',
      'end SENSOR_OFF medium Oximeter: sensor off',
      'end LOW_PERFUSION low Oximeter: low perfusion',
    ]);
  });

  it('gives pump alarms their own priorities: occlusion high, infusion complete medium, near end low', () => {
    const seen = collect(
      'o-c-n-u',
      {
        o: cond('OCCLUSION', 'technical', true),
        c: cond('INFUSION_COMPLETE', 'technical', true),
        n: cond('NEAR_END', 'technical', true),
        u: cond('PUMP_ALARM_UNKNOWN_X', 'technical', true),
      },
      (s) => deviceConditionAlarms(naming, priorities, s),
    );
    expect(seen.map((l) => l.split(' ').slice(1, 3).join(' '))).toEqual([
      'OCCLUSION high',
      'INFUSION_COMPLETE medium',
      'NEAR_END low',
      'PUMP_ALARM_UNKNOWN_X low',
    ]);
  });

  it('ignores a repeated start and an end of a condition that is not active', () => {
    const seen = collect(
      'a-a-x',
      { a: cond('SENSOR_OFF', 'technical', true), x: cond('NO_CABLE', 'technical', false) },
      (s) => deviceConditionAlarms(naming, priorities, s),
    );
    expect(seen).toEqual(['start SENSOR_OFF medium Oximeter: sensor off']);
  });
});
