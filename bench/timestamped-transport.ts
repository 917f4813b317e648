/**
 * A ByteTransport wrapper that notes when each chunk arrives: the bench's "last byte of a
 * frame arrived at the transport" timestamp. The time is taken when the inner transport
 * emits the chunk on `data$`, i.e. when the gateway's event loop handles the socket read,
 * just before the driver sees the bytes. Everything else is passed through unchanged.
 */
import { map, tap, type Observable } from 'rxjs';
import type { ByteTransport, TransportStatus } from '../src/transport/byte-transport.js';

/** process.hrtime.bigint() as a number of nanoseconds (same clock in every process of the host). */
export function hrtimeNs(): number {
  return Number(process.hrtime.bigint());
}

/** CPU time the process has used (user + system, all threads), microseconds. */
export function cpuTimeUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

export class TimestampedTransport implements ByteTransport {
  /** hrtime (ns) of the latest chunk; 0 before the first. */
  lastChunkNs = 0;
  /** The process's CPU time (µs) at the latest chunk, when `withCpuTime`. */
  lastChunkCpuUs = 0;
  /** Chunks received since start. */
  chunks = 0;
  /** Whether the link is open now. */
  open = false;
  readonly data$: Observable<Buffer>;
  readonly status$: Observable<TransportStatus>;

  /** `withCpuTime`: also note the process's CPU time at each chunk (one getrusage call). */
  constructor(
    private readonly inner: ByteTransport,
    withCpuTime = false,
  ) {
    this.data$ = inner.data$.pipe(
      tap(() => {
        // CPU time first: its getrusage call then lies outside the measured latency.
        if (withCpuTime) this.lastChunkCpuUs = cpuTimeUs();
        this.lastChunkNs = hrtimeNs();
        this.chunks += 1;
      }),
    );
    this.status$ = inner.status$.pipe(
      map((s) => {
        this.open = s.state === 'open';
        return s;
      }),
    );
  }

  get description(): string {
    return this.inner.description;
  }

  start(): void {
    this.inner.start();
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.inner.write(bytes);
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }
}
