/**
 * Waveforms over the station WebSocket: opt-in with `subscribe`, the `waveform` message
 * as chunks arrive, never in a snapshot, and a slow client that misses chunks instead of
 * being dropped for waveform traffic.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { Writable } from 'node:stream';
import { request } from 'node:http';
import { startStationServer, type StationServer } from '../../src/station/station-server.js';
import { createLogger, silentLogger, type Logger } from '../../src/core/logger.js';
import type { Observation } from '../../src/model/observation.js';
import type { WaveformChunk } from '../../src/model/waveform.js';
import { BEDS, T0, observation, plethChunk } from './fixtures.js';
import { TestClient } from './ws-test-client.js';

function clientCount(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/healthz' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve((JSON.parse(body) as { clients: number }).clients));
    }).on('error', reject).end();
  });
}

/** A logger whose lines can be awaited by message text. */
function capturingLogger(): { logger: Logger; logged(text: string, timeoutMs: number): Promise<void> } {
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(String(chunk));
      for (const w of waiters.splice(0)) w();
      done();
    },
  });
  const logged = (text: string, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no log line containing "${text}"`)), timeoutMs);
      const check = (): void => {
        if (lines.some((l) => l.includes(text))) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return { logger: createLogger({ level: 'info' }, stream), logged };
}

describe('station waveforms over a real WebSocket', () => {
  let server: StationServer;
  const clients: TestClient[] = [];
  const observations$ = new Subject<Observation>();
  const waveforms$ = new Subject<WaveformChunk>();

  async function start(options: { logger?: Logger; maxClientBufferBytes?: number; maxWaveformBufferBytes?: number } = {}): Promise<void> {
    server = await startStationServer({
      host: '127.0.0.1', port: 0, beds: BEDS, observations$, status$: new Subject(), alarms$: new Subject(), waveforms$,
      logger: options.logger ?? silentLogger(),
      ...(options.maxClientBufferBytes ? { maxClientBufferBytes: options.maxClientBufferBytes } : {}),
      ...(options.maxWaveformBufferBytes ? { maxWaveformBufferBytes: options.maxWaveformBufferBytes } : {}),
    });
  }
  async function client(subscribe: boolean): Promise<TestClient> {
    const c = new TestClient(`ws://127.0.0.1:${server.port}/ws`);
    clients.push(c);
    await c.opened();
    await c.next('snapshot');
    if (subscribe) {
      c.sendText(JSON.stringify({ v: 1, type: 'subscribe', waveforms: true, requestId: 'w-1' }));
      expect(await c.next('subscribed')).toEqual({ v: 1, type: 'subscribed', waveforms: true, requestId: 'w-1' });
    }
    return c;
  }
  /** Everything the client receives up to the reply to a ping (messages arrive in order). */
  async function untilPong(c: TestClient): Promise<string[]> {
    c.sendText(JSON.stringify({ v: 1, type: 'ping', requestId: 'sync' }));
    const types: string[] = [];
    for (;;) {
      const m = await c.next();
      if (m.type === 'pong') return types;
      types.push(m.type);
    }
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server?.close();
  });

  it('sends nothing of waveforms to a client that did not subscribe', async () => {
    await start();
    const c = await client(false);
    waveforms$.next(plethChunk(0));
    expect(await untilPong(c)).toEqual([]);
  });

  it('forwards each chunk as it arrives to a subscribed client, with every field', async () => {
    await start();
    const c = await client(true);
    const chunk = plethChunk(75, { receivedAt: T0 + 1000.5, samples: [120, null, 130] });
    waveforms$.next(chunk);
    waveforms$.next(plethChunk(78, { receivedAt: T0 + 1040 }));
    const first = await c.next('waveform');
    expect(first.waveform).toEqual({
      bedId: 'bed-2', deviceId: 'ox-2', metric: 'pleth', code: 150452, sampleRateHz: 75, samples: [120, null, 130],
      range: { min: 0, max: 255 }, receivedAt: T0 + 1000.5, firstSampleIndex: 75,
    });
    expect((await c.next('waveform')).waveform.firstSampleIndex).toBe(78);
    expect(c.invalid).toEqual([]);
  });

  it('keeps waveforms out of snapshots', async () => {
    await start();
    const c = await client(true);
    waveforms$.next(plethChunk(0));
    await c.next('waveform');
    c.sendText(JSON.stringify({ v: 1, type: 'get-snapshot' }));
    const snapshot = await c.next('snapshot');
    expect(JSON.stringify(snapshot)).not.toContain('pleth');
  });

  it('stops sending when the client opts out again', async () => {
    await start();
    const c = await client(true);
    c.sendText(JSON.stringify({ v: 1, type: 'subscribe', waveforms: false }));
    expect(await c.next('subscribed')).toEqual({ v: 1, type: 'subscribed', waveforms: false });
    waveforms$.next(plethChunk(0));
    expect(await untilPong(c)).toEqual([]);
  });

  it('rejects a subscribe with a wrong field type or an unknown field, naming it', async () => {
    await start();
    const c = await client(false);
    c.sendText(JSON.stringify({ v: 1, type: 'subscribe', waveforms: 'yes', requestId: 'bad-1' }));
    const error = await c.next('error');
    expect(error).toMatchObject({ code: 'INVALID_MESSAGE', requestId: 'bad-1' });
    expect(error.message).toContain('waveforms');
    c.sendText(JSON.stringify({ v: 1, type: 'subscribe', waveforms: true, beds: ['bed-1'] }));
    expect((await c.next('error')).message).toContain('beds');
  });

  it('survives a chunk that cannot be serialised and forwards the next one', async () => {
    await start();
    const c = await client(true);
    waveforms$.next(plethChunk(0, { samples: [1n as unknown as number] }));
    waveforms$.next(plethChunk(25));
    expect((await c.next('waveform')).waveform.firstSampleIndex).toBe(25);
  });

  it('skips chunks for a client that stops reading, never drops it for waveforms, and it still gets values', async () => {
    const capture = capturingLogger();
    await start({ logger: capture.logger, maxClientBufferBytes: 256 * 1024, maxWaveformBufferBytes: 16 * 1024 });
    const slow = await client(true);
    const good = await client(true);
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    let first = 0;
    const publish = (n: number): void => {
      for (let i = 0; i < n; i++) {
        waveforms$.next(plethChunk(first, {}, 1000));
        first += 1000;
      }
    };
    const skipping = capture.logged('skipping waveform chunks', 15_000);
    let seen = false;
    void skipping.then(() => (seen = true), () => undefined);
    const deadline = Date.now() + 15_000;
    while (!seen && Date.now() < deadline) {
      publish(20);
      await new Promise((r) => setTimeout(r, 5));
    }
    await skipping;
    // Well past the 256 KiB drop limit in waveform traffic alone: the slow client stays.
    publish(400);
    expect(await clientCount(server.port)).toBe(2);

    observations$.next(observation({ bedId: 'bed-2', deviceId: 'ox-2', value: 88, receivedAt: T0 + 5 }));
    socket.resume();
    const received: number[] = [];
    for (;;) {
      const m = await slow.next(undefined, 15_000);
      if (m.type === 'waveform') received.push(m.waveform.firstSampleIndex);
      if (m.type === 'observation') {
        expect(m.observation.value).toBe(88);
        break;
      }
    }
    // Chunks were skipped, not queued: fewer arrived than were sent, and once the client
    // has caught up the next chunk follows a jump in the sample index (a gap in its trace).
    expect(received.length).toBeLessThan(first / 1000);
    const lastReceived = received.at(-1) ?? -1;
    publish(1);
    const resumed = await slow.next('waveform', 15_000);
    expect(resumed.waveform.firstSampleIndex).toBe(first - 1000);
    expect(resumed.waveform.firstSampleIndex).toBeGreaterThan(lastReceived + 1000);
    expect(await clientCount(server.port)).toBe(2);
    expect((await good.next('observation', 15_000)).observation.value).toBe(88);
  }, 60_000);
});
