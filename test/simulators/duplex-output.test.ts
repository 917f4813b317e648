import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import type { DeviceReceiver } from '../../simulators/serve/device-output.js';
import { TcpDeviceServer } from '../../simulators/serve/tcp-device-server.js';
import { waitFor } from './helpers.js';

/** A client that accumulates text and notices when it is closed. */
async function client(port: number): Promise<{ socket: Socket; text: () => string; closed: () => boolean }> {
  let text = '';
  let closed = false;
  const socket = connect(port, '127.0.0.1');
  socket.on('data', (b: Buffer) => (text += b.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, text: () => text, closed: () => closed };
}

describe('TcpDeviceServer with a receiver (a device that answers)', () => {
  let server: TcpDeviceServer | null = null;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await server?.stop();
    server = null;
  });

  it('replies only to the client that asked, survives a throwing receiver, and reports link resets', async () => {
    let resets = 0;
    let thrown = 0;
    const receiver: DeviceReceiver = {
      receive: (bytes, reply) => {
        if (bytes.toString('latin1').includes('boom')) {
          thrown++;
          throw new Error('device bug');
        }
        reply(Buffer.from(`echo:${bytes.toString('latin1')}`));
      },
      linkReset: () => resets++,
    };
    server = new TcpDeviceServer('127.0.0.1', 0, silentLogger());
    const { port } = await server.start();
    server.setReceiver(receiver);
    const a = await client(port);
    const b = await client(port);
    sockets.push(a.socket, b.socket);
    a.socket.write('boom');
    await waitFor(() => (thrown === 1 ? true : undefined), 5000, 'the receiver threw');
    a.socket.write('hi');
    await waitFor(() => (a.text().includes('echo:hi') ? true : undefined), 5000, 'echo to a');
    b.socket.write('yo');
    await waitFor(() => (b.text() === 'echo:yo' ? true : undefined), 5000, 'echo to b');
    expect(a.text()).not.toContain('yo');
    a.socket.destroy();
    await waitFor(() => (resets === 1 ? true : undefined), 5000, 'link reset');
  });

  it('with maxClients 1 closes a second connection at once and accepts one after the first leaves', async () => {
    server = new TcpDeviceServer('127.0.0.1', 0, silentLogger(), { maxClients: 1 });
    const { port } = await server.start();
    const first = await client(port);
    sockets.push(first.socket);
    await waitFor(() => (server?.detail() === '1 client' ? true : undefined), 5000, 'first registered');
    const second = await client(port);
    sockets.push(second.socket);
    await waitFor(() => (second.closed() ? true : undefined), 5000, 'second closed');
    expect(first.closed()).toBe(false);
    first.socket.destroy();
    await waitFor(() => (server?.detail() === '0 clients' ? true : undefined), 5000, 'first gone');
    const third = await client(port);
    sockets.push(third.socket);
    await waitFor(() => (server?.detail() === '1 client' ? true : undefined), 5000, 'third registered');
  });
});
