import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { isVigilError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { SimulatorHost } from '../../simulators/sim-host.js';
import { parseReferenceLine, waitFor } from './helpers.js';

/** A TCP client that accumulates what it receives and notices when it is closed. */
class Client {
  text = '';
  closed = false;
  errored: string | null = null;
  readonly socket: Socket;
  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (b: Buffer) => (this.text += b.toString('latin1')));
    this.socket.on('error', (e) => (this.errored = e.message));
    this.socket.on('close', () => (this.closed = true));
  }
  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
  }
  lines(): string[] {
    return this.text.split('\r\n').slice(0, -1);
  }
}

describe('simulated Radical over TCP', () => {
  let host: SimulatorHost;
  let clock: ManualClock;
  const clients: Client[] = [];

  /** One second of device life: the injected clock and the device's interval timer. */
  const second = (): void => {
    clock.advance(1000);
    vi.advanceTimersByTime(1000);
  };
  const open = async (port: number): Promise<Client> => {
    const c = new Client(port);
    clients.push(c);
    await c.connected();
    return c;
  };

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    clock = new ManualClock(Date.UTC(2026, 4, 14, 13, 45, 0));
    host = new SimulatorHost({ logger: silentLogger(), clock });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await host.stop();
    vi.useRealTimers();
  });

  it('streams one CR LF line per second to a connected client', async () => {
    const { port } = await host.addDevice({
      bedId: 'bed-1', deviceId: 'oximeter', model: 'masimo-radical-7', serialNumber: '12345',
      listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
    });
    expect(port).toBeGreaterThan(0);
    const client = await open(port as number);
    await waitFor(() => (host.list()[0]?.detail === '1 client' ? true : undefined), 5000, 'client registered');
    second();
    second();
    second();
    await waitFor(() => (client.lines().length >= 3 ? true : undefined), 5000, 'three lines');
    expect(client.text.endsWith('\r\n')).toBe(true);
    for (const line of client.lines()) {
      const f = parseReferenceLine('radical-7', `${line}\r\n`);
      expect(f.SN).toBe('0000012345');
      expect(Number(f.SPO2)).toBeGreaterThanOrEqual(96);
    }
    expect(host.list()).toEqual([
      expect.objectContaining({ bedId: 'bed-1', deviceId: 'oximeter', model: 'masimo-radical-7', state: 'streaming',
        listen: `tcp://127.0.0.1:${port}` }),
    ]);
  });

  it('disconnect drops the client and refuses new ones; resume lets it reconnect', async () => {
    const { port } = await host.addDevice({
      bedId: 'bed-1', deviceId: 'ox', model: 'masimo-rad-8', listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
    });
    const first = await open(port as number);
    await waitFor(() => (host.list()[0]?.detail === '1 client' ? true : undefined), 5000, 'client registered');
    host.trigger('bed-1', 'ox', { type: 'disconnect' });
    await waitFor(() => (first.closed ? true : undefined), 5000, 'client dropped');
    expect(host.list()[0]?.state).toBe('disconnected');

    const refused = new Client(port as number);
    clients.push(refused);
    await waitFor(() => (refused.closed ? true : undefined), 5000, 'new connection refused');
    second();
    expect(refused.text).toBe('');

    host.trigger('bed-1', 'ox', { type: 'resume' });
    const again = await open(port as number);
    await waitFor(() => (host.list()[0]?.detail === '1 client' ? true : undefined), 5000, 'client registered');
    second();
    await waitFor(() => (again.lines().length >= 1 ? true : undefined), 5000, 'a line after resume');
    parseReferenceLine('rad-8', `${again.lines()[0]}\r\n`);
  });

  it('a timed disconnect ends by itself', async () => {
    const { port } = await host.addDevice({
      bedId: 'bed-2', deviceId: 'ox', model: 'masimo-radical-5', listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
    });
    host.trigger('bed-2', 'ox', { type: 'disconnect', seconds: 3 });
    expect(host.list()[0]).toMatchObject({ state: 'disconnected', detail: '3 s left; refusing connections' });
    second();
    second();
    second();
    expect(host.list()[0]?.state).toBe('streaming');
    const client = await open(port as number);
    await waitFor(() => (host.list()[0]?.detail === '1 client' ? true : undefined), 5000, 'client registered');
    second();
    await waitFor(() => (client.lines().length >= 1 ? true : undefined), 5000, 'a line');
  });

  it('reports a port already in use as SIMULATOR_LISTEN_FAILED', async () => {
    const { port } = await host.addDevice({
      bedId: 'bed-1', deviceId: 'a', model: 'masimo-radical-7', listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
    });
    const failure = host.addDevice({
      bedId: 'bed-1', deviceId: 'b', model: 'masimo-radical-7', listen: { kind: 'tcp', host: '127.0.0.1', port: port as number },
    });
    await expect(failure).rejects.toSatisfy((err) => isVigilError(err, 'SIMULATOR_LISTEN_FAILED'));
    expect(host.list().map((r) => r.deviceId)).toEqual(['a']);
  });
});
