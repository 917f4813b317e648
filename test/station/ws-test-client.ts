/** A WebSocket test client that queues server messages and waits for them (not a test file). */
import { WebSocket } from 'ws';
import { serverMessageSchema, type ServerMessage } from '../../src/station/station-protocol.js';

export class TestClient {
  readonly ws: WebSocket;
  private readonly queue: ServerMessage[] = [];
  private waiter: (() => void) | null = null;
  /** Frames that did not validate against serverMessageSchema. */
  readonly invalid: unknown[] = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data) => {
      const raw: unknown = JSON.parse(String(data));
      const parsed = serverMessageSchema.safeParse(raw);
      if (!parsed.success) this.invalid.push(raw);
      else this.queue.push(parsed.data as ServerMessage);
      this.waiter?.();
    });
    this.ws.on('close', () => this.waiter?.());
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  closed(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => this.ws.once('close', () => resolve()));
  }

  sendText(text: string): void {
    this.ws.send(text);
  }

  /** The next message (of a type, skipping others), or rejects after `timeoutMs`. */
  async next<T extends ServerMessage['type']>(type?: T, timeoutMs = 3000): Promise<Extract<ServerMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.queue.shift();
      if (message && (type === undefined || message.type === type)) return message as Extract<ServerMessage, { type: T }>;
      if (message) continue;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`no ${type ?? 'message'} received (socket state ${this.ws.readyState})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = null;
          resolve();
        };
      });
    }
  }

  close(): void {
    this.ws.terminate();
  }
}
