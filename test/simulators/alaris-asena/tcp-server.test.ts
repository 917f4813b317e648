import { afterEach, describe, expect, it } from 'vitest';
import { Socket, connect } from 'node:net';
import { ManualClock } from '../../../src/core/clock.js';
import { AsenaDeframer, encodeFrame } from '../../../drivers/alaris-asena/frame-codec.js';
import { AsenaPumpModel } from '../../../simulators/alaris-asena/pump-model.js';
import { AsenaProtocolHandler } from '../../../simulators/alaris-asena/protocol-handler.js';
import { serveAsenaPump, type AsenaTcpServer } from '../../../simulators/alaris-asena/tcp-server.js';

const TIMEOUT_MS = 3000;

/** A plain TCP client that sends one command body and waits (with a timeout) for one reply frame. */
class Client {
  private readonly deframer = new AsenaDeframer();
  private readonly frames: string[] = [];
  private wake: (() => void) | null = null;
  private isClosed = false;
  readonly closed: Promise<void>;
  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const out of this.deframer.push(chunk)) if (out.kind === 'frame') this.frames.push(out.body);
      this.wake?.();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.wake?.();
        resolve();
      }),
    );
  }
  static open(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new Client(s)));
      s.once('error', reject);
    });
  }
  /** Resolves with the reply body; rejects when the server closes the line or after TIMEOUT_MS. */
  ask(body: string): Promise<string> {
    this.socket.write(encodeFrame(body));
    return new Promise((resolve, reject) => {
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.wake = null;
        settle();
      };
      const check = (): void => {
        const reply = this.frames.shift();
        if (reply !== undefined) finish(() => resolve(reply));
        else if (this.isClosed) finish(() => reject(new Error(`line closed before a reply to ${body}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no reply to ${body} within ${TIMEOUT_MS} ms`))), TIMEOUT_MS);
      this.wake = check;
      check();
    });
  }
}

describe('serveAsenaPump over TCP', () => {
  let server: AsenaTcpServer | undefined;
  const clients: Client[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await server?.close();
    server = undefined;
  });

  async function start() {
    const pump = new AsenaPumpModel({ clock: new ManualClock(), serial: '8002-51740', rateMlPerHour: 4 });
    const handler = new AsenaProtocolHandler(pump);
    server = await serveAsenaPump(handler, { port: 0 });
    return { pump, handler, server };
  }

  it('binds a free port and answers what it is asked', async () => {
    const { server: s } = await start();
    expect(s.port).toBeGreaterThan(0);
    const c = await Client.open(s.port);
    clients.push(c);
    expect(await c.ask('INST_SERIALNO')).toBe('INST_SERIALNO^8002-51740');
    expect((await c.ask('INF')).split('^')[4]).toBe('4.00');
  });

  it('allows one client at a time, like a terminal-server port', async () => {
    const { server: s } = await start();
    const first = await Client.open(s.port);
    clients.push(first);
    await first.ask('INF');
    const second = await Client.open(s.port);
    clients.push(second);
    await second.closed;
    expect(await first.ask('INST_SERIALNO')).toBe('INST_SERIALNO^8002-51740');
  });

  it('a new client can connect after the first leaves, and remote control does not survive the disconnect', async () => {
    const { server: s, handler } = await start();
    const first = await Client.open(s.port);
    expect(await first.ask('REMOTE_CTRL^ENABLED^3CC1')).toBe('REMOTE_CTRL^ENABLED^3CC1');
    expect(handler.remoteControlEnabled).toBe(true);
    first.socket.destroy();
    await first.closed;
    let second: Client | undefined;
    for (let attempt = 0; attempt < 50 && !second; attempt++) {
      const c = await Client.open(s.port);
      const reply = await c.ask('INF_START').catch(() => null);
      if (reply === null) c.socket.destroy();
      else {
        second = c;
        expect(reply).toBe('ERROR^REMOTE_DISABLED');
      }
    }
    expect(second).toBeDefined();
    if (second) clients.push(second);
  });

  it('dropClient() cuts the line', async () => {
    const { server: s } = await start();
    const c = await Client.open(s.port);
    clients.push(c);
    await c.ask('INF');
    s.dropClient();
    await c.closed;
  });
});
