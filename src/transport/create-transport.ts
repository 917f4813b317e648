import type { SerialDefaults } from '../device/device-driver.js';
import type { ByteTransport } from './byte-transport.js';
import type { TransportDeps } from './reconnecting-link.js';
import { SerialTransport } from './serial-transport.js';
import { TcpTransport } from './tcp-transport.js';
import { parseTransportUrl } from './transport-url.js';

export type { TransportDeps } from './reconnecting-link.js';

/**
 * The transport a device's URL names, not yet started. For a serial URL the driver
 * definition's `serialDefaults` fill every setting the URL leaves out, so
 * `serial:///dev/ttyUSB0` opens a Masimo at 9600 8N1 and an Asena at 38400 8N1.
 * Throws VigilError('TRANSPORT_URL_INVALID') for a bad URL.
 */
export function createTransport(url: string, serialDefaults: SerialDefaults, deps: TransportDeps): ByteTransport {
  const spec = parseTransportUrl(url);
  if (spec.kind === 'tcp') {
    return new TcpTransport({ host: spec.host, port: spec.port, connectTimeoutMs: spec.connectTimeoutMs }, deps);
  }
  return new SerialTransport(
    {
      path: spec.path,
      baudRate: spec.baudRate ?? serialDefaults.baudRate,
      dataBits: spec.dataBits ?? serialDefaults.dataBits,
      parity: spec.parity ?? serialDefaults.parity,
      stopBits: spec.stopBits ?? serialDefaults.stopBits,
    },
    deps,
  );
}
