import type { DevicePublisher } from '../../src/bus/gateway-bus.js';
import type { DataState, DeviceStatus, LinkState } from '../../src/model/device-events.js';

/**
 * A Modbus device's DeviceStatus, published at once on every change of link or data state or
 * and from heartbeat() only when counters or the last error moved (same rules as the other
 * drivers). `messages` counts successful reads; `rejected` counts received byte runs that were
 * not used (bad CRC, noise, late or unsolicited replies, replies the client refused).
 */
export class ModbusStatusReporter {
  private link: LinkState = 'closed';
  private data: DataState = 'awaiting';
  private since: number;
  private lastDataAt: number | null = null;
  private lastError: string | null = null;
  private messages = 0;
  private rejected = 0;
  private dirty = false;

  constructor(
    private readonly base: { readonly bedId: string; readonly deviceId: string; readonly driver: string; readonly model: string },
    private readonly bus: DevicePublisher,
    private readonly now: () => number,
  ) {
    this.since = now();
  }

  get linkState(): LinkState {
    return this.link;
  }

  get dataState(): DataState {
    return this.data;
  }

  setLink(link: LinkState, error: string | null): void {
    const errorChanged = error !== null && error !== this.lastError;
    if (error !== null) this.lastError = error;
    if (link === this.link && !errorChanged) return;
    if (link !== this.link) this.since = this.now();
    this.link = link;
    this.publish();
  }

  setData(data: DataState): void {
    if (data === this.data) return;
    this.data = data;
    this.since = this.now();
    this.publish();
  }

  /** A request failed: published with the next heartbeat (or the next state change). */
  setError(error: string): void {
    if (error === this.lastError) return;
    this.lastError = error;
    this.dirty = true;
  }

  countMessage(at: number): void {
    this.messages++;
    this.lastDataAt = at;
    this.dirty = true;
  }

  countRejected(): void {
    this.rejected++;
    this.dirty = true;
  }

  /** Publishes when counters moved since the last publication. */
  heartbeat(): void {
    if (this.dirty) this.publish();
  }

  publish(): void {
    this.dirty = false;
    const status: DeviceStatus = {
      bedId: this.base.bedId,
      deviceId: this.base.deviceId,
      driver: this.base.driver,
      link: this.link,
      data: this.data,
      lastDataAt: this.lastDataAt,
      since: this.since,
      lastError: this.lastError,
      counters: { messages: this.messages, rejected: this.rejected },
      identity: { model: this.base.model },
    };
    this.bus.publishStatus(status);
  }
}
