import { describe, expect, it } from 'vitest';
import {
  EXPIRED_AFTER_MS,
  STALE_AFTER_MS,
  deviceStateView,
  displayUnit,
  formatAge,
  formatValue,
  metricView,
} from '../../src/station/web/format.js';
import { observationToDto, deviceStatusToDto } from '../../src/station/station-protocol.js';
import { T0, observation, status } from './fixtures.js';

describe('station page formatting', () => {
  it('shows no value as --, never 0', () => {
    expect(formatValue('spo2', null)).toBe('--');
    expect(formatValue('spo2', Number.NaN)).toBe('--');
    expect(formatValue('spo2', 0)).toBe('0');
    const view = metricView('spo2', '%', observationToDto(observation({ value: null, flags: ['unavailable'] })), T0);
    expect(view.text).toBe('--');
  });

  it('rounds by metric', () => {
    expect(formatValue('spo2', 96.6)).toBe('97');
    expect(formatValue('perfusion-index', 3.456)).toBe('3.46');
    expect(formatValue('temp-body', 36.75)).toBe('36.8');
  });

  it('translates UCUM units for display', () => {
    expect(displayUnit('Cel')).toBe('°C');
    expect(displayUnit('mm[Hg]')).toBe('mmHg');
    expect(displayUnit('/min')).toBe('/min');
  });

  it('grades a value fresh, then stale (greyed, with age), then expired (--)', () => {
    const dto = observationToDto(observation({ value: 97 }));
    expect(metricView('spo2', '%', dto, T0 + STALE_AFTER_MS)).toMatchObject({ text: '97', freshness: 'fresh', note: '' });
    expect(metricView('spo2', '%', dto, T0 + STALE_AFTER_MS + 1000)).toMatchObject({ text: '97', freshness: 'stale', note: '6 s old' });
    expect(metricView('spo2', '%', dto, T0 + EXPIRED_AFTER_MS + 1000)).toMatchObject({ text: '--', freshness: 'expired' });
    expect(metricView('spo2', '%', undefined, T0)).toMatchObject({ text: '--', freshness: 'none' });
  });

  it('formats ages in s, min and h', () => {
    expect(formatAge(4_900)).toBe('4 s');
    expect(formatAge(-500)).toBe('0 s');
    expect(formatAge(180_000)).toBe('3 min');
    expect(formatAge(3 * 3_600_000)).toBe('3 h');
  });

  it('words device states: receiving, connecting, communication lost with last error', () => {
    expect(deviceStateView(null, T0)).toMatchObject({ label: 'Connecting', tone: 'wait' });
    expect(deviceStateView(deviceStatusToDto(status()), T0)).toEqual({ label: 'Receiving', tone: 'ok', detail: '' });
    const paused = deviceStatusToDto(status({ deviceAlarm: { alarming: true, silenced: true } }));
    expect(deviceStateView(paused, T0).detail).toBe('device alarming at bedside · audio paused at bedside');
    const never = deviceStatusToDto(status({ link: 'connecting', data: 'awaiting', lastDataAt: null, lastError: 'ECONNREFUSED 127.0.0.1:4001' }));
    expect(deviceStateView(never, T0)).toMatchObject({ label: 'Connecting', tone: 'wait', detail: expect.stringContaining('ECONNREFUSED') });
    const silent = deviceStatusToDto(status({ data: 'silent', lastDataAt: T0, lastError: null }));
    expect(deviceStateView(silent, T0 + 12_000)).toMatchObject({ label: 'Communication lost', tone: 'lost', detail: 'last data 12 s ago' });
    const dropped = deviceStatusToDto(status({ link: 'closed', data: 'awaiting', lastDataAt: T0, lastError: 'ECONNRESET' }));
    expect(deviceStateView(dropped, T0 + 3_000)).toMatchObject({ tone: 'lost', detail: 'ECONNRESET · last data 3 s ago' });
  });
});
