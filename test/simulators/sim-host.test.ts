import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { isVigilError, type VigilErrorCode } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { SimulatorHost, simEventSchema } from '../../simulators/sim-host.js';

function expectVigilError(fn: () => unknown, code: VigilErrorCode, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(isVigilError(err, code), String(err)).toBe(true);
    expect((err as Error).message).toMatch(message);
    return;
  }
  expect.unreachable('no error thrown');
}

describe('SimulatorHost', () => {
  const host = new SimulatorHost({ logger: silentLogger(), clock: new ManualClock() });
  afterEach(async () => {
    await host.stop();
  });

  const addOximeter = (bedId = 'bed-1', deviceId = 'ox') =>
    host.addDevice({ bedId, deviceId, model: 'masimo-radical-7', listen: { kind: 'tcp', host: '127.0.0.1', port: 0 } });

  it('routes patient and device events and rejects bad targets with SIMULATOR_UNKNOWN', async () => {
    await addOximeter();
    expect(host.trigger('bed-1', null, { type: 'desaturation' })).toEqual({ type: 'desaturation' });
    expect(host.describeBed('bed-1').effects).toHaveLength(1);
    host.trigger('bed-1', 'ox', { type: 'recover' });
    expect(host.describeBed('bed-1').effects).toHaveLength(0);
    host.trigger('bed-1', 'ox', { type: 'silence', seconds: 5 });
    expect(host.list()[0]).toMatchObject({ state: 'silent', detail: '5 s left; 0 clients' });

    expectVigilError(() => host.trigger('bed-2', null, { type: 'recover' }), 'SIMULATOR_UNKNOWN', /bed "bed-2".*known: bed-1/);
    expectVigilError(() => host.trigger('bed-1', 'pump', { type: 'resume' }), 'SIMULATOR_UNKNOWN', /device "pump".*known: ox/);
    expectVigilError(() => host.trigger('bed-1', null, { type: 'resume' }), 'SIMULATOR_EVENT_INVALID', /needs a device id/);
    expectVigilError(
      () => host.trigger('bed-1', 'ox', { type: 'sensor-off', seconds: -1 }),
      'SIMULATOR_EVENT_INVALID',
      /^seconds: /,
    );
  });

  it('validates specs with CONFIG_INVALID naming the field', async () => {
    await addOximeter();
    await expect(addOximeter()).rejects.toSatisfy((e) => isVigilError(e, 'CONFIG_INVALID'));
    expectVigilError(() => host.addBed('bed-1'), 'CONFIG_INVALID', /already exists/);
    expectVigilError(() => host.addBed('bed-3', { timeScale: 0 }), 'CONFIG_INVALID', /timeScale/);
    await expect(
      host.addDevice({ bedId: 'bed-4', deviceId: 'ox', model: 'masimo-radical-7', serialNumber: 'TOO-LONG-SERIAL',
        listen: { kind: 'tcp', host: '127.0.0.1', port: 0 } }),
    ).rejects.toThrow(/serialNumber/);
    await expect(
      host.addDevice({ bedId: 'bed-4', deviceId: 'ox', model: 'nonin-3150' as never, listen: { kind: 'tcp', host: '127.0.0.1', port: 0 } }),
    ).rejects.toThrow(/model/);
  });

  it('exports a schema that accepts every documented event and rejects unknown ones', () => {
    const valid = [
      { type: 'desaturation', targetSpo2: 82, rampSeconds: 20, holdSeconds: 120 },
      { type: 'pulse-change', targetBpm: 130 },
      { type: 'recover' },
      { type: 'sensor-off', seconds: 30 },
      { type: 'silence' },
      { type: 'garbage', bytes: 40 },
      { type: 'disconnect', seconds: 10 },
      { type: 'resume' },
      { type: 'occlusion' },
      { type: 'air-in-line' },
      { type: 'door-open' },
      { type: 'low-battery' },
      { type: 'clear-alarms' },
      { type: 'corrupt-replies', seconds: 5 },
      { type: 'wrong-rate', factor: 1.2 },
      { type: 'keypad-rate', rateMlPerHour: 52.5 },
      { type: 'keypad-stop' },
      { type: 'keypad-start' },
    ];
    for (const e of valid) expect(simEventSchema.safeParse(e).success, JSON.stringify(e)).toBe(true);
    for (const e of [{ type: 'nap' }, { type: 'garbage', bytes: 0 }, { type: 'pulse-change' }, {}, { type: 'keypad-rate', rateMlPerHour: 0 }]) {
      expect(simEventSchema.safeParse(e).success, JSON.stringify(e)).toBe(false);
    }
  });
});
