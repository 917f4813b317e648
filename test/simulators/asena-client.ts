import { connect, type Socket } from 'node:net';
import { AsenaDeframer, encodeFrame } from '../../drivers/alaris-asena/frame-codec.js';
import { waitFor } from './helpers.js';

const TIMEOUT_MS = 5000;

/**
 * A plain TCP client of a simulated Asena pump: sends command bodies, collects reply frames
 * and rejected runs (bad CRC, noise) separately, and notices when the line closes.
 */
export class AsenaTestClient {
  private readonly deframer = new AsenaDeframer();
  /** Valid reply bodies not yet taken by `ask`/`nextFrame`. */
  readonly frames: string[] = [];
  /** Every valid reply body received. */
  readonly allFrames: string[] = [];
  /** Reasons of the discarded runs (e.g. `crc-mismatch`, `noise`). */
  readonly rejected: string[] = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const out of this.deframer.push(chunk)) {
        if (out.kind === 'frame') {
          this.frames.push(out.body);
          this.allFrames.push(out.body);
        } else this.rejected.push(out.rejection.reason);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
  }

  static open(port: number): Promise<AsenaTestClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new AsenaTestClient(s)));
      s.once('error', reject);
    });
  }

  /** Sends one command body without waiting. */
  send(body: string): void {
    this.socket.write(encodeFrame(body));
  }

  /** The next reply frame (waits, with a timeout). */
  nextFrame(what = 'a reply'): Promise<string> {
    return waitFor(() => this.frames.shift(), TIMEOUT_MS, what);
  }

  /** Sends `body` and resolves with the next reply frame. */
  ask(body: string): Promise<string> {
    this.send(body);
    return this.nextFrame(`a reply to ${body}`);
  }

  /** Waits until the server closed the line. */
  untilClosed(): Promise<true> {
    return waitFor(() => (this.closed ? true : undefined), TIMEOUT_MS, 'the line to close');
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The INF reply's fields (docs/protocols/asena-gh.md): alarm, mode, rate, volume. */
export function infFields(body: string): { serial: string; alarm: string; mode: string; rate: number; volume: number } {
  const f = body.split('^');
  if (f[0] !== 'INF' || f.length !== 14) throw new Error(`not an INF reply: ${body}`);
  return { serial: f[1] as string, alarm: f[2] as string, mode: f[3] as string, rate: Number(f[4]), volume: Number(f[7]) };
}
