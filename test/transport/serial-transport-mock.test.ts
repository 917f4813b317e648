import { afterEach, describe, expect, it } from 'vitest';
import { isVigilError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import type { ReconnectPolicy, TransportStatus } from '../../src/transport/byte-transport.js';
import { SerialTransport, type SerialTransportOptions, type TransportDeps } from '../../src/transport/serial-transport.js';
import { waitFor } from '../helpers/wait-for.js';
import { MockBinding, recordingBinding, type MockPort } from '../helpers/mock-serial.js';


const fast: ReconnectPolicy = { initialDelayMs: 5, maxDelayMs: 20, factor: 2, jitter: 0 };
const settings = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 } as const;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  MockBinding.reset();
});

/** The mock binding, remembering each port it opened so the test can play the device. */
function observedBinding(): { binding: NonNullable<TransportDeps['binding']>; opened: MockPort[] } {
  const { binding, opened } = recordingBinding();
  return { binding, opened };
}

function serialTransport(options: Partial<SerialTransportOptions> & { path: string }) {
  const { binding, opened } = observedBinding();
  const transport = new SerialTransport({ ...settings, ...options }, { logger: silentLogger(), binding, reconnect: fast });
  cleanups.push(() => transport.stop());
  return { transport, opened };
}

const isOpen = (s: TransportStatus): boolean => s.state === 'open';
const nextTick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

describe('SerialTransport with the serialport MockBinding', () => {
  it('opens the port with the line settings, exclusively, without flow control', async () => {
    MockBinding.createPort('/dev/ttyMOCK1', { echo: false, record: true });
    const { transport, opened } = serialTransport({
      path: '/dev/ttyMOCK1',
      baudRate: 38400,
      dataBits: 7,
      parity: 'even',
      stopBits: 2,
    });
    expect(transport.description).toBe('serial:///dev/ttyMOCK1');
    transport.start();
    await waitFor(transport.status$, isOpen, 5000, 'open');
    expect(opened).toHaveLength(1);
    expect(opened[0]?.openOptions).toMatchObject({
      path: '/dev/ttyMOCK1',
      baudRate: 38400,
      dataBits: 7,
      parity: 'even',
      stopBits: 2,
      lock: true,
      rtscts: false,
      xon: false,
      xoff: false,
    });
  });

  it('bytes from the device arrive on data$ in order', async () => {
    MockBinding.createPort('/dev/ttyMOCK2', { echo: false, record: true });
    const { transport, opened } = serialTransport({ path: '/dev/ttyMOCK2' });
    const chunks: Buffer[] = [];
    transport.data$.subscribe((b) => chunks.push(b));
    transport.start();
    await waitFor(transport.status$, isOpen, 5000, 'open');
    opened[0]?.emitData('11/21/26 10:00:00 SN=0000123 SPO2=098%');
    opened[0]?.emitData(Buffer.from([0x0d, 0x0a, 0x00, 0xff]));
    await waitFor(transport.data$, () => Buffer.concat(chunks).length >= 42, 5000, 'device bytes');
    expect(Buffer.concat(chunks)).toEqual(Buffer.from('11/21/26 10:00:00 SN=0000123 SPO2=098%\r\n\x00\xff', 'latin1'));
  });

  it('bytes written reach the port', async () => {
    MockBinding.createPort('/dev/ttyMOCK3', { echo: false, record: true });
    const { transport, opened } = serialTransport({ path: '/dev/ttyMOCK3' });
    transport.start();
    await waitFor(transport.status$, isOpen, 5000, 'open');
    await transport.write(Buffer.from('!INF|1234\r', 'latin1'));
    await transport.write(Uint8Array.from([0x02, 0x70, 0x02, 0x02, 0x02, 0x03]));
    await nextTick();
    expect(opened[0]?.recording).toEqual(
      Buffer.concat([Buffer.from('!INF|1234\r', 'latin1'), Buffer.from([0x02, 0x70, 0x02, 0x02, 0x02, 0x03])]),
    );
  });

  it('a port that does not exist yet is retried and opens once it appears (adapter plugged in)', async () => {
    const { transport } = serialTransport({ path: '/dev/ttyMOCK4' });
    const statuses: TransportStatus[] = [];
    transport.status$.subscribe((s) => statuses.push(s));
    transport.start();
    await waitFor(transport.status$, () => statuses.filter((s) => s.retryInMs !== null).length >= 3, 5000, '3 retries');
    const retries = statuses.filter((s) => s.retryInMs !== null);
    expect(retries.map((s) => s.retryInMs)).toEqual([5, 10, 20]);
    expect(retries[0]).toMatchObject({ state: 'connecting', attempt: 1 });
    expect(retries[0]?.error).toMatch(/does not exist/);
    const err = await transport.write(Buffer.from('x')).then(() => null, (e: unknown) => e);
    expect(isVigilError(err, 'TRANSPORT_NOT_OPEN')).toBe(true);
    MockBinding.createPort('/dev/ttyMOCK4', { echo: false, record: true });
    await waitFor(transport.status$, isOpen, 5000, 'open after the port appears');
  });

  it('a port held by another program is retried until it is released', async () => {
    MockBinding.createPort('/dev/ttyMOCK5', { echo: false, record: true });
    const other = await MockBinding.open({ path: '/dev/ttyMOCK5', baudRate: 9600 });
    const { transport } = serialTransport({ path: '/dev/ttyMOCK5' });
    transport.start();
    const busy = await waitFor(transport.status$, (s) => s.retryInMs !== null, 5000, 'busy port retry');
    expect(busy.error).toMatch(/locked/);
    await other.close();
    await waitFor(transport.status$, isOpen, 5000, 'open after release');
  });

  it('stop() closes the port and reports closed', async () => {
    MockBinding.createPort('/dev/ttyMOCK6', { echo: false, record: true });
    const { transport, opened } = serialTransport({ path: '/dev/ttyMOCK6' });
    transport.start();
    await waitFor(transport.status$, isOpen, 5000, 'open');
    await transport.stop();
    expect(opened[0]?.isOpen).toBe(false);
    await expect(waitFor(transport.status$, () => true, 100, 'status')).resolves.toMatchObject({ state: 'closed' });
    const err = await transport.write(Buffer.from('x')).then(() => null, (e: unknown) => e);
    expect(isVigilError(err, 'TRANSPORT_NOT_OPEN')).toBe(true);
  });
});
