import { describe, expect, it } from 'vitest';
import { StationState } from '../../src/station/station-state.js';
import { serverMessageSchema } from '../../src/station/station-protocol.js';
import { BEDS, T0, alarm, alarmEvent, observation, status } from './fixtures.js';

describe('StationState', () => {
  it('starts with every configured bed and device, no values, no status, no alarms', () => {
    const state = new StationState(BEDS);
    const snap = state.snapshot(T0);
    expect(snap.beds.map((b) => b.id)).toEqual(['bed-1', 'bed-2']);
    expect(snap.beds[0]).toMatchObject({ label: 'Bed 1', session: 'iv-ketamine', configured: true, observations: [], alarms: [] });
    expect(snap.beds[0]?.devices).toEqual([{ id: 'ox-1', driver: 'masimo-ascii', transport: 'tcp://127.0.0.1:4001', status: null }]);
    expect(serverMessageSchema.safeParse(snap).success).toBe(true);
  });

  it('keeps the latest observation per bed, device and metric', () => {
    const state = new StationState(BEDS);
    expect(state.applyObservation(observation({ value: 97 }))).toBe('applied');
    expect(state.applyObservation(observation({ value: 95, receivedAt: T0 + 1000 }))).toBe('applied');
    state.applyObservation(observation({ metric: 'pulse-rate', code: 149530, unit: '/min', value: 72 }));
    expect(state.latestObservation('bed-1', 'ox-1', 'spo2')?.value).toBe(95);
    expect(state.latestObservation('bed-1', 'ox-1', 'pulse-rate')?.value).toBe(72);
    expect(state.snapshot(T0).beds[0]?.observations).toHaveLength(2);
    expect(state.snapshot(T0).beds[1]?.observations).toHaveLength(0);
  });

  it('does not let an older observation replace a newer one', () => {
    const state = new StationState(BEDS);
    state.applyObservation(observation({ value: 95, receivedAt: T0 + 1000 }));
    expect(state.applyObservation(observation({ value: 80, receivedAt: T0 }))).toBe('ignored');
    expect(state.latestObservation('bed-1', 'ox-1', 'spo2')?.value).toBe(95);
  });

  it('keeps a "no value" observation as null, never 0', () => {
    const state = new StationState(BEDS);
    state.applyObservation(observation({ value: 97 }));
    state.applyObservation(observation({ value: null, flags: ['unavailable'], receivedAt: T0 + 1000 }));
    expect(state.latestObservation('bed-1', 'ox-1', 'spo2')).toMatchObject({ value: null, flags: ['unavailable'] });
  });

  it('holds the latest status per device', () => {
    const state = new StationState(BEDS);
    state.applyStatus(status());
    state.applyStatus(status({ data: 'silent', since: T0 + 2000, lastError: 'ECONNRESET' }));
    expect(state.deviceStatus('bed-1', 'ox-1')).toMatchObject({ data: 'silent', lastError: 'ECONNRESET' });
    expect(state.deviceStatus('bed-2', 'ox-2')).toBeNull();
  });

  it('shows data from an unconfigured bed or device instead of dropping it', () => {
    const state = new StationState(BEDS);
    expect(state.applyAlarm(alarmEvent('start', alarm({ bedId: 'bed-9', deviceId: 'x' })))).toBe('unknown-bed');
    expect(state.applyStatus(status({ deviceId: 'ox-extra', driver: 'nonin-binary' }))).toBe('unknown-device');
    const beds = state.snapshot(T0).beds;
    expect(beds.find((b) => b.id === 'bed-9')).toMatchObject({ configured: false, label: 'bed-9' });
    expect(beds.find((b) => b.id === 'bed-9')?.alarms).toHaveLength(1);
    expect(beds[0]?.devices.map((d) => [d.id, d.driver])).toEqual([['ox-1', 'masimo-ascii'], ['ox-extra', 'nonin-binary']]);
  });

  it('adds an alarm on start, replaces it on update and removes it on end', () => {
    const state = new StationState(BEDS);
    const a = alarm();
    state.applyAlarm(alarmEvent('start', a));
    state.applyAlarm(alarmEvent('update', { ...a, message: 'SpO2 80 % below 90 %', updatedAt: T0 + 5000 }));
    expect(state.activeAlarms('bed-1').map((x) => x.message)).toEqual(['SpO2 80 % below 90 %']);
    expect(state.applyAlarm(alarmEvent('end', a))).toBe('applied');
    expect(state.activeAlarms('bed-1')).toEqual([]);
    expect(state.applyAlarm(alarmEvent('end', a))).toBe('ignored');
  });

  it('takes an update for an alarm it never saw start as active', () => {
    const state = new StationState(BEDS);
    state.applyAlarm(alarmEvent('update', alarm()));
    expect(state.activeAlarms('bed-1')).toHaveLength(1);
  });

  it('orders alarms highest priority first, then newest first', () => {
    const state = new StationState(BEDS);
    state.applyAlarm(alarmEvent('start', alarm({ code: 'LOW_OLD', priority: 'low', startedAt: T0 })));
    state.applyAlarm(alarmEvent('start', alarm({ code: 'HIGH_OLD', priority: 'high', startedAt: T0 + 1 })));
    state.applyAlarm(alarmEvent('start', alarm({ code: 'MED', priority: 'medium', startedAt: T0 + 5 })));
    state.applyAlarm(alarmEvent('start', alarm({ code: 'HIGH_NEW', priority: 'high', startedAt: T0 + 9 })));
    expect(state.activeAlarms('bed-1').map((a) => a.code)).toEqual(['HIGH_NEW', 'HIGH_OLD', 'MED', 'LOW_OLD']);
    expect(state.snapshot(T0).beds[0]?.alarms.map((a) => a.code)).toEqual(['HIGH_NEW', 'HIGH_OLD', 'MED', 'LOW_OLD']);
  });

  it('keeps alarms of different beds apart', () => {
    const state = new StationState(BEDS);
    state.applyAlarm(alarmEvent('start', alarm({ bedId: 'bed-2', deviceId: 'ox-2' })));
    expect(state.activeAlarms('bed-1')).toEqual([]);
    expect(state.activeAlarms('bed-2')).toHaveLength(1);
  });

  it('does not let a later change leak into an earlier snapshot', () => {
    const state = new StationState(BEDS);
    state.applyStatus(status());
    const before = state.snapshot(T0);
    state.applyStatus(status({ data: 'silent' }));
    expect(before.beds[0]?.devices[0]?.status?.data).toBe('receiving');
  });

  it('carries the requestId of a get-snapshot', () => {
    const state = new StationState(BEDS);
    expect(state.snapshot(T0, 'r1').requestId).toBe('r1');
    expect('requestId' in state.snapshot(T0)).toBe(false);
  });
});
