import { afterEach, describe, expect, it } from 'vitest';
import { isVigilError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import type { SerialDefaults } from '../../src/device/device-driver.js';
import type { ByteTransport } from '../../src/transport/byte-transport.js';
import { createTransport } from '../../src/transport/create-transport.js';
import { SerialTransport } from '../../src/transport/serial-transport.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import { waitFor } from '../helpers/wait-for.js';
import { startFakeTerminalServer } from './tcp-test-server.js';
import { MockBinding, recordingBinding, type MockPort } from '../helpers/mock-serial.js';

const asena: SerialDefaults = { baudRate: 38400, dataBits: 8, parity: 'none', stopBits: 1 };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  MockBinding.reset();
});

/** Opens the transport a URL names on the mock binding and returns the options the port got. */
async function openedWith(url: string, defaults: SerialDefaults): Promise<MockPort['openOptions']> {
  const { binding, opened } = recordingBinding();
  const transport = createTransport(url, defaults, { logger: silentLogger(), binding });
  cleanups.push(() => transport.stop());
  transport.start();
  await waitFor(transport.status$, (s) => s.state === 'open', 5000, 'open');
  const port = opened[0];
  if (!port) throw new Error('no port opened');
  return port.openOptions;
}

describe('createTransport', () => {
  it('serial URL without settings uses the driver defaults', async () => {
    MockBinding.createPort('/dev/ttyCT1');
    const transport: ByteTransport = createTransport('serial:///dev/ttyCT1', asena, { logger: silentLogger() });
    expect(transport).toBeInstanceOf(SerialTransport);
    expect(transport.description).toBe('serial:///dev/ttyCT1');
    expect(await openedWith('serial:///dev/ttyCT1', asena)).toMatchObject({
      baudRate: 38400,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
    });
  });

  it('settings in the URL win over the defaults, one by one', async () => {
    MockBinding.createPort('/dev/ttyCT2');
    expect(await openedWith('serial:///dev/ttyCT2?baudRate=9600&parity=even', asena)).toMatchObject({
      baudRate: 9600,
      dataBits: 8,
      parity: 'even',
      stopBits: 1,
    });
  });

  it('tcp URL gives a TcpTransport that connects to that port', async () => {
    const server = await startFakeTerminalServer();
    cleanups.push(() => server.close());
    const transport = createTransport(`tcp://127.0.0.1:${server.port}`, asena, { logger: silentLogger() });
    cleanups.push(() => transport.stop());
    expect(transport).toBeInstanceOf(TcpTransport);
    transport.start();
    await waitFor(server.connections$, () => true, 5000, 'a connection');
  });

  it('a bad URL throws TRANSPORT_URL_INVALID', () => {
    let caught: unknown;
    try {
      createTransport('tcp://10.0.0.5', asena, { logger: silentLogger() });
    } catch (err) {
      caught = err;
    }
    expect(isVigilError(caught, 'TRANSPORT_URL_INVALID')).toBe(true);
  });
});
