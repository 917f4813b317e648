import { BehaviorSubject, Subject } from 'rxjs';
import { VigilError } from '../core/errors.js';
import type { ByteTransport, TransportStatus } from './byte-transport.js';

/**
 * An in-process transport for tests and tools: `inject()` plays device bytes to the
 * driver, `written` records what the driver sent, `drop()` / `restore()` simulate
 * the link going down and up.
 */
export class MemoryTransport implements ByteTransport {
  readonly description: string;
  private readonly dataSubject = new Subject<Buffer>();
  private readonly statusSubject: BehaviorSubject<TransportStatus>;
  readonly data$ = this.dataSubject.asObservable();
  readonly status$;
  readonly written: Buffer[] = [];

  constructor(description = 'memory://test', private readonly now: () => number = () => Date.now()) {
    this.description = description;
    this.statusSubject = new BehaviorSubject<TransportStatus>(this.status('closed', null));
    this.status$ = this.statusSubject.asObservable();
  }

  get state(): TransportStatus['state'] {
    return this.statusSubject.value.state;
  }

  start(): void {
    this.statusSubject.next(this.status('open', null));
  }

  inject(bytes: string | Uint8Array): void {
    if (this.state !== 'open') throw new Error('MemoryTransport: inject while not open');
    this.dataSubject.next(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes));
  }

  /** The link fails; it stays down until restore(). */
  drop(error = 'link dropped'): void {
    this.statusSubject.next(this.status('connecting', error));
  }

  restore(): void {
    this.statusSubject.next(this.status('open', null));
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.state !== 'open') {
      throw new VigilError('TRANSPORT_NOT_OPEN', `${this.description} is not open`, { state: this.state });
    }
    this.written.push(Buffer.from(bytes));
  }

  async stop(): Promise<void> {
    if (this.state !== 'closed') this.statusSubject.next(this.status('closed', null));
  }

  private status(state: TransportStatus['state'], error: string | null): TransportStatus {
    return { state, since: this.now(), attempt: state === 'open' ? 0 : 1, error, retryInMs: null };
  }
}
