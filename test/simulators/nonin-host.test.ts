import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { isVigilError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { SIMULATED_MODELS, SimulatorHost } from '../../simulators/sim-host.js';

/** The Nonin oximeter in the SimulatorHost: its models and its own events. */
describe('SimulatorHost with Nonin oximeters', () => {
  const clock = new ManualClock();
  const host = new SimulatorHost({ logger: silentLogger(), clock });
  afterEach(async () => {
    await host.stop();
  });

  const tcp = { kind: 'tcp' as const, host: '127.0.0.1', port: 0 };

  it('offers the models nonin (format #7) and nonin-format-2', () => {
    expect(SIMULATED_MODELS).toContain('nonin');
    expect(SIMULATED_MODELS).toContain('nonin-format-2');
  });

  it('routes artifact and bad-checksum to a Nonin oximeter and shows its mode', async () => {
    await host.addDevice({ bedId: 'bed-2', deviceId: 'oxi', model: 'nonin', listen: tcp });
    expect(host.list()[0]).toMatchObject({ model: 'nonin', state: 'streaming' });
    host.trigger('bed-2', 'oxi', { type: 'artifact', seconds: 30 });
    expect(host.list()[0]).toMatchObject({ state: 'artifact', detail: '30 s left; 0 clients' });
    clock.advance(30_000);
    expect(host.list()[0]).toMatchObject({ state: 'streaming' });
    expect(host.trigger('bed-2', 'oxi', { type: 'bad-checksum', frames: 2 })).toEqual({ type: 'bad-checksum', frames: 2 });
    host.trigger('bed-2', 'oxi', { type: 'sensor-off' });
    expect(host.list()[0]).toMatchObject({ state: 'sensor-off' });
  });

  it('refuses the Nonin events for a Masimo oximeter, and bad parameters', async () => {
    await host.addDevice({ bedId: 'bed-1', deviceId: 'ox', model: 'masimo-radical-7', listen: tcp });
    await host.addDevice({ bedId: 'bed-2', deviceId: 'oxi', model: 'nonin-format-2', listen: tcp });
    const invalid = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(isVigilError(err, 'SIMULATOR_EVENT_INVALID'), String(err)).toBe(true);
        return (err as Error).message;
      }
      throw new Error('no error thrown');
    };
    expect(invalid(() => host.trigger('bed-1', 'ox', { type: 'artifact' }))).toMatch(/not an event of bed-1\/ox/);
    expect(invalid(() => host.trigger('bed-2', 'oxi', { type: 'bad-checksum', frames: 0 }))).toMatch(/^frames: /);
    expect(invalid(() => host.trigger('bed-2', 'oxi', { type: 'artifact', bytes: 3 }))).toMatch(/bytes: not a parameter/);
  });
});
