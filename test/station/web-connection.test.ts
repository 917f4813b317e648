import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StationConnection, parseServerMessage, type LinkView, type SocketLike } from '../../src/station/web/connection.js';
import type { ServerMessage } from '../../src/station/web/protocol-types.js';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  closed = false;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
  }
  serverOpens(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  serverSends(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  serverCloses(): void {
    this.readyState = 3;
    this.onclose?.({});
  }
}

const HELLO = { v: 1, type: 'hello', protocol: 1, serverTime: 1 };

describe('StationConnection (browser link to the daemon)', () => {
  let sockets: FakeSocket[];
  let links: LinkView[];
  let messages: ServerMessage[];
  let connection: StationConnection;

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    links = [];
    messages = [];
    connection = new StationConnection({
      url: 'ws://station/ws',
      createSocket: () => {
        const s = new FakeSocket();
        sockets.push(s);
        return s;
      },
      onMessage: (m) => messages.push(m),
      onLinkChange: (l) => links.push(l),
      pingIntervalMs: 2000,
      silenceTimeoutMs: 6000,
      initialDelayMs: 500,
      maxDelayMs: 5000,
    });
  });
  afterEach(() => {
    connection.stop();
    vi.useRealTimers();
  });

  it('is live only after hello, and passes messages on', () => {
    connection.start();
    sockets[0]?.serverOpens();
    expect(links.at(-1)).toEqual({ kind: 'connecting', attempt: 1 });
    sockets[0]?.serverSends(HELLO);
    expect(links.at(-1)).toEqual({ kind: 'live' });
    expect(messages).toEqual([HELLO]);
  });

  it('reports lost when the socket closes and reconnects with doubling back-off up to the cap', () => {
    connection.start();
    sockets[0]?.serverOpens();
    sockets[0]?.serverSends(HELLO);
    sockets[0]?.serverCloses();
    expect(links.at(-1)).toMatchObject({ kind: 'lost', retryInMs: 500 });
    vi.advanceTimersByTime(499);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      sockets.at(-1)?.serverCloses();
      const last = links.at(-1);
      if (last?.kind === 'lost') delays.push(last.retryInMs);
      vi.advanceTimersByTime(5000);
    }
    expect(delays).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('declares a silent link lost even when the socket never closes (half-open)', () => {
    connection.start();
    sockets[0]?.serverOpens();
    sockets[0]?.serverSends(HELLO);
    vi.advanceTimersByTime(6000);
    expect(links.at(-1)).toEqual({ kind: 'live' });
    expect(sockets[0]?.sent.filter((s) => JSON.parse(s).type === 'ping')).toHaveLength(3);
    vi.advanceTimersByTime(2000);
    expect(links.at(-1)).toMatchObject({ kind: 'lost', reason: expect.stringContaining('no message') });
    expect(sockets[0]?.closed).toBe(true);
  });

  it('stays live while pongs keep arriving', () => {
    connection.start();
    sockets[0]?.serverOpens();
    sockets[0]?.serverSends(HELLO);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(2000);
      sockets[0]?.serverSends({ v: 1, type: 'pong', serverTime: 2 });
    }
    expect(links.at(-1)).toEqual({ kind: 'live' });
  });

  it('resets the back-off after a successful reconnect', () => {
    connection.start();
    sockets[0]?.serverCloses();
    vi.advanceTimersByTime(500);
    sockets[1]?.serverCloses();
    vi.advanceTimersByTime(1000);
    sockets[2]?.serverOpens();
    sockets[2]?.serverSends(HELLO);
    sockets[2]?.serverCloses();
    expect(links.at(-1)).toMatchObject({ kind: 'lost', retryInMs: 500 });
  });

  it('ignores frames that are not version-1 server messages', () => {
    expect(parseServerMessage('not json')).toBeNull();
    expect(parseServerMessage(JSON.stringify({ v: 2, type: 'hello' }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ v: 1, type: 'future-thing' }))).toBeNull();
    expect(parseServerMessage(JSON.stringify(HELLO))).toEqual(HELLO);
    const waveform = { v: 1, type: 'waveform', waveform: { bedId: 'bed-2', deviceId: 'ox-2', metric: 'pleth', samples: [1] } };
    expect(parseServerMessage(JSON.stringify(waveform))).toEqual(waveform);
  });

  it('sends a client message only on an open link, never queueing it for later', () => {
    connection.start();
    const subscribe = { v: 1, type: 'subscribe', waveforms: true } as const;
    expect(connection.send(subscribe)).toBe(false);
    sockets[0]?.serverOpens();
    expect(connection.send(subscribe)).toBe(true);
    expect(sockets[0]?.sent.map((t) => JSON.parse(t))).toEqual([subscribe]);
    sockets[0]?.serverCloses();
    expect(connection.send(subscribe)).toBe(false);
    connection.stop();
  });
});
