import { describe, expect, it } from 'vitest';
import {
  NIBP_EXPIRED_AFTER_MS,
  NIBP_STALE_AFTER_MS,
  formatAgo,
  measuredAt,
  nibpView,
  sourcedMetricView,
  sourcesOf,
} from '../../src/station/web/vitals-format.js';
import { freshness } from '../../src/station/web/format.js';
import { observationToDto } from '../../src/station/station-protocol.js';
import type { BedSnapshot, ObservationDto } from '../../src/station/web/protocol-types.js';
import type { Observation } from '../../src/model/observation.js';
import { T0, observation } from './fixtures.js';

const MIN = 60_000;

function bed(...observations: Array<Partial<Observation>>): BedSnapshot {
  return {
    id: 'bed-2', label: 'Bed 2', session: 'im-ketamine', configured: true,
    devices: [
      { id: 'ox-2', driver: 'nonin-binary', transport: 'serial:///dev/ttyUSB1', status: null },
      { id: 'mon-2', driver: 'modbus', transport: 'tcp://10.0.0.9:502', status: null },
    ],
    observations: observations.map((o): ObservationDto => observationToDto(observation({ bedId: 'bed-2', deviceId: 'ox-2', ...o }))),
    alarms: [],
  };
}

const nibp = (deviceTime: number | null, receivedAt: number, deviceId = 'mon-2', values = [118, 76, 90]): Array<Partial<Observation>> =>
  (['nibp-sys', 'nibp-dia', 'nibp-mean'] as const).map((metric, i) => ({
    deviceId, metric, code: 150021 + i, unit: 'mm[Hg]', value: values[i] ?? null, deviceTime, receivedAt,
  }));

describe('which device a tile shows when several send a metric', () => {
  it('prefers the first configured device while its value is fresh, whichever arrived last', () => {
    const b = bed({ value: 97, receivedAt: T0 }, { deviceId: 'mon-2', value: 95, receivedAt: T0 + 500 });
    expect(sourcesOf(b, 'spo2', (o) => freshness(o, T0 + 1000)).map((o) => o.deviceId)).toEqual(['ox-2', 'mon-2']);
    const view = sourcedMetricView(b, 'spo2', '%', T0 + 1000);
    expect(view.text).toBe('97');
    expect(view.note).toBe('from ox-2 · mon-2: 95');
  });

  it('takes the other device while the first has no live value', () => {
    const b = bed({ value: 97, receivedAt: T0 }, { deviceId: 'mon-2', value: 95, receivedAt: T0 + 9000 });
    const view = sourcedMetricView(b, 'spo2', '%', T0 + 10_000);
    expect(view.text).toBe('95');
    expect(view.freshness).toBe('fresh');
    expect(view.note).toBe('from mon-2 · ox-2: 97');
  });

  it('says nothing extra when only one device sends the metric', () => {
    expect(sourcedMetricView(bed({ value: 97 }), 'spo2', '%', T0).note).toBe('');
  });
});

describe('NIBP display', () => {
  it('shows sys/dia (mean) with the age of the cuff measurement, not of its receipt', () => {
    const b = bed(...nibp(T0 - 3 * MIN, T0));
    const view = nibpView(b, T0 + 1000);
    expect(view).toMatchObject({ text: '118/76', mean: '(90)', freshness: 'fresh', note: '3 min ago', deviceId: 'mon-2' });
  });

  it('greys a measurement older than a cuff cycle explains and hides one older than an hour', () => {
    const b = bed(...nibp(T0, T0));
    expect(nibpView(b, T0 + NIBP_STALE_AFTER_MS).freshness).toBe('fresh');
    expect(nibpView(b, T0 + NIBP_STALE_AFTER_MS + 1000)).toMatchObject({ text: '118/76', freshness: 'stale', note: '15 min ago' });
    expect(nibpView(b, T0 + NIBP_EXPIRED_AFTER_MS + 1000)).toMatchObject({ text: '--', mean: '', freshness: 'expired', note: 'no NIBP for 60 min' });
  });

  it('never takes a device clock that runs ahead for a younger measurement', () => {
    const [sys] = nibp(T0 + 10 * MIN, T0);
    expect(sys && measuredAt(observationToDto(observation(sys)))).toBe(T0);
    expect(nibpView(bed(...nibp(T0 + 10 * MIN, T0)), T0 + 5 * MIN).note).toBe('5 min ago');
  });

  it('uses the receive time when the device sends no measurement time', () => {
    expect(nibpView(bed(...nibp(null, T0 - 2 * MIN)), T0).note).toBe('2 min ago');
  });

  it('shows -- for a failed measurement and says when there is none yet', () => {
    const failed = bed(...nibp(T0, T0, 'mon-2', []));
    expect(nibpView(failed, T0 + 20_000)).toMatchObject({ text: '--', note: 'no value · 20 s ago' });
    expect(nibpView(bed(), T0)).toMatchObject({ text: '--', freshness: 'none', note: 'no measurement yet' });
  });

  it('leaves the mean out when the device sends none', () => {
    const b = bed(...nibp(T0, T0).slice(0, 2));
    expect(nibpView(b, T0)).toMatchObject({ text: '118/76', mean: '' });
  });

  it('words ages for a nurse', () => {
    expect(formatAgo(3000)).toBe('just now');
    expect(formatAgo(45_000)).toBe('45 s ago');
    expect(formatAgo(3 * MIN + 5000)).toBe('3 min ago');
  });
});
