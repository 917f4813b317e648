import type { DevicePublisher } from '../../src/bus/gateway-bus.js';
import type { DataState, DeviceStatus, LinkState } from '../../src/model/device-events.js';

/**
 * Keeps a polled driver's DeviceStatus and publishes it: at once on every change of link or
 * data state (or of the link error), and from `heartbeat()` (called every few seconds) only
 * when counters, the last data time or the last error moved since the last publication.
 * Same rules as the Masimo driver. Used by the Asena, NE-1000 and Modbus drivers.
 */
export class StatusReporter {
  private link: LinkState = 'closed';
  private data: DataState = 'awaiting';
  private since: number;
  private lastDataAt: number | null = null;
  private lastError: string | null = null;
  private messages = 0;
  private rejected = 0;
  private identity: { serial?: string; model?: string };
  private dirty = false;

  constructor(
    private readonly base: { bedId: string; deviceId: string; driver: string; model: string },
    private readonly bus: DevicePublisher,
    private readonly now: () => number,
  ) {
    this.since = now();
    this.identity = { model: base.model };
  }

  get dataState(): DataState {
    return this.data;
  }

  get linkState(): LinkState {
    return this.link;
  }

  setLink(link: LinkState, error: string | null): void {
    const errorChanged = error !== null && error !== this.lastError;
    if (error !== null) this.lastError = error;
    if (link === this.link && !errorChanged) return;
    if (link !== this.link) this.since = this.now();
    this.link = link;
    this.publish();
  }

  /** A request failed: published with the next heartbeat (or the next state change). */
  setError(error: string): void {
    if (error === this.lastError) return;
    this.lastError = error;
    this.dirty = true;
  }

  setData(data: DataState): void {
    if (data === this.data) return;
    this.data = data;
    this.since = this.now();
    this.publish();
  }

  /** A valid message arrived at `at` (epoch ms). */
  countMessage(at: number): void {
    this.messages++;
    this.lastDataAt = at;
    this.dirty = true;
  }

  countRejected(): void {
    this.rejected++;
    this.dirty = true;
  }

  setSerial(serial: string): void {
    if (this.identity.serial === serial) return;
    this.identity = { ...this.identity, serial };
    this.publish();
  }

  /** Publishes when something changed since the last publication. */
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
      identity: { ...this.identity },
    };
    this.bus.publishStatus(status);
  }
}
