import { ReplaySubject, type Observable } from 'rxjs';
import WebSocket from 'ws';
import type { ServerMessage } from '../../src/station/station-protocol.js';
import { waitFor } from './wait-for.js';

/**
 * A WebSocket client of the nurse station, as any third-party client would use it:
 * every message it received is replayed to `waitFor`, so no message is missed
 * between connecting and waiting.
 */
export class StationClient {
  private readonly received = new ReplaySubject<ServerMessage>();
  readonly messages$: Observable<ServerMessage> = this.received.asObservable();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.received.next(JSON.parse(String(data)) as ServerMessage));
    socket.on('close', () => this.received.complete());
  }

  static async connect(stationUrl: string): Promise<StationClient> {
    const socket = new WebSocket(new URL('/ws', stationUrl.replace(/^http/, 'ws')));
    // Listen before the socket opens: the station greets at once.
    const client = new StationClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  /** The first message of `type` matching `predicate`. */
  next<T extends ServerMessage['type']>(
    type: T,
    predicate: (m: Extract<ServerMessage, { type: T }>) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    return waitFor(
      this.messages$,
      (m) => m.type === type && predicate(m as Extract<ServerMessage, { type: T }>),
      timeoutMs,
      what,
    ) as Promise<Extract<ServerMessage, { type: T }>>;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  close(): void {
    this.socket.close();
  }
}
