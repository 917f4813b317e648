import { describe, expect, it } from 'vitest';
import { ClientState, latestOf } from '../../src/station/web/client-state.js';
import { StationState } from '../../src/station/station-state.js';
import { alarmMessage, observationToDto, deviceStatusToDto } from '../../src/station/station-protocol.js';
import { BEDS, T0, alarm, alarmEvent, observation, status } from './fixtures.js';

function seeded(): ClientState {
  const client = new ClientState();
  client.apply(new StationState(BEDS).snapshot(T0), T0 - 250);
  return client;
}

describe('ClientState (browser copy of the station state)', () => {
  it('takes the beds from the snapshot and the clock offset from the server time', () => {
    const client = seeded();
    expect(client.hasSnapshot).toBe(true);
    expect(client.bedList().map((b) => b.id)).toEqual(['bed-1', 'bed-2']);
    expect(client.serverNow(T0 - 250 + 1000)).toBe(T0 + 1000);
  });

  it('updates the latest value per device and metric and picks the newest across devices', () => {
    const client = seeded();
    client.apply({ v: 1, type: 'observation', observation: observationToDto(observation({ value: 97 })) }, T0);
    client.apply({ v: 1, type: 'observation', observation: observationToDto(observation({ deviceId: 'ox-9', value: 93, receivedAt: T0 + 10 })) }, T0);
    client.apply({ v: 1, type: 'observation', observation: observationToDto(observation({ value: 50, receivedAt: T0 - 10 })) }, T0);
    const bed = client.bed('bed-1');
    expect(bed && latestOf(bed, 'spo2')?.value).toBe(93);
    expect(bed?.observations.find((o) => o.deviceId === 'ox-1')?.value).toBe(97);
  });

  it('adds, orders and removes alarms', () => {
    const client = seeded();
    const low = alarm({ code: 'A_LOW', priority: 'low' });
    const high = alarm({ code: 'B_HIGH', priority: 'high', startedAt: T0 - 5 });
    client.apply(alarmMessage(alarmEvent('start', low)), T0);
    client.apply(alarmMessage(alarmEvent('start', high)), T0);
    expect(client.bed('bed-1')?.alarms.map((a) => a.code)).toEqual(['B_HIGH', 'A_LOW']);
    const change = client.apply(alarmMessage(alarmEvent('end', high)), T0);
    expect(change).toEqual({ kind: 'beds', bedIds: ['bed-1'] });
    expect(client.bed('bed-1')?.alarms.map((a) => a.code)).toEqual(['A_LOW']);
  });

  it('updates device status and replaces everything on a new snapshot', () => {
    const client = seeded();
    client.apply({ v: 1, type: 'device-status', status: deviceStatusToDto(status({ data: 'silent' })) }, T0);
    expect(client.bed('bed-1')?.devices[0]?.status?.data).toBe('silent');
    client.apply(alarmMessage(alarmEvent('start', alarm())), T0);
    client.apply(new StationState(BEDS).snapshot(T0 + 5000), T0 + 5000);
    expect(client.bed('bed-1')?.alarms).toEqual([]);
    expect(client.bed('bed-1')?.devices[0]?.status).toBeNull();
  });
});
