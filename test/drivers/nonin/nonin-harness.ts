import { GatewayBus } from '../../../src/bus/gateway-bus.js';
import type { Clock } from '../../../src/core/clock.js';
import { silentLogger, type Logger } from '../../../src/core/logger.js';
import type { DeviceDriver } from '../../../src/device/device-driver.js';
import type { DeviceCondition, DeviceStatus } from '../../../src/model/device-events.js';
import type { Observation } from '../../../src/model/observation.js';
import type { WaveformChunk } from '../../../src/model/waveform.js';
import type { ByteTransport } from '../../../src/transport/byte-transport.js';
import { noninDriver } from '../../../drivers/nonin/nonin-driver.js';

/** Everything the driver published, in order. */
export interface Published {
  readonly observations: Observation[];
  readonly conditions: DeviceCondition[];
  readonly statuses: DeviceStatus[];
  readonly waveforms: WaveformChunk[];
  /** Every event in publication order, as `type:detail` strings. */
  readonly order: string[];
}

/** A clock that reads the (faked) Date.now(), so vi.advanceTimersByTime moves both. */
export const fakeTimersClock: Clock = { now: () => Date.now(), monotonic: () => Date.now() };

/** Creates the nonin driver on `transport` with a bus that records what it publishes. */
export function createNoninDriver(
  transport: ByteTransport,
  options: unknown = {},
  deps: { clock?: Clock; logger?: Logger } = {},
): { driver: DeviceDriver; published: Published; bus: GatewayBus } {
  const bus = new GatewayBus();
  const published: Published = { observations: [], conditions: [], statuses: [], waveforms: [], order: [] };
  bus.observations$.subscribe((e) => {
    published.observations.push(e);
    published.order.push(`observation:${e.metric}`);
  });
  bus.conditions$.subscribe((e) => {
    published.conditions.push(e);
    published.order.push(`condition:${e.active ? '+' : '-'}${e.code}`);
  });
  bus.status$.subscribe((e) => {
    published.statuses.push(e);
    published.order.push(`status:${e.data}`);
  });
  bus.waveforms$.subscribe((e) => {
    published.waveforms.push(e);
    published.order.push(`waveform:${e.samples.length}`);
  });
  const driver = noninDriver.create({
    bedId: 'bed-2',
    deviceId: 'oxi',
    transport,
    bus,
    logger: deps.logger ?? silentLogger(),
    clock: deps.clock ?? fakeTimersClock,
    options: noninDriver.optionsSchema.parse(options),
  });
  return { driver, published, bus };
}

/** The last status published, or a failure. */
export function lastStatus(published: Published): DeviceStatus {
  const s = published.statuses.at(-1);
  if (s === undefined) throw new Error('no status published');
  return s;
}
