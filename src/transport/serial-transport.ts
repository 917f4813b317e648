import { SerialPort } from 'serialport';
import { SerialPortStream } from '@serialport/stream';
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { describeError } from '../core/errors.js';
import type { ByteTransport } from './byte-transport.js';
import {
  ReconnectingLink,
  type LinkHandlers,
  type OpenConnection,
  type TransportDeps,
} from './reconnecting-link.js';

export type { TransportDeps } from './reconnecting-link.js';

/** A local RS-232 port (USB adapter or built-in UART) and its line settings. */
export interface SerialTransportOptions {
  /** Device path, e.g. `/dev/ttyUSB0`, `/dev/serial/by-id/...`, `COM3`. */
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
}

/**
 * A local serial port. A port that fails to open (ENOENT while the USB adapter is
 * unplugged, EBUSY while another program holds it) or that closes with an error
 * (unplugged while open) is a link failure: the transport retries with back-off and
 * reopens the port when it comes back, until stop(). The port is opened with an
 * exclusive lock and no flow control (all devices in device-protocols.md use none).
 */
export class SerialTransport extends ReconnectingLink implements ByteTransport {
  constructor(options: SerialTransportOptions, deps: TransportDeps) {
    // SerialPort.binding is the OS binding (bindings-cpp). Never call its list():
    // it needs udevadm, which the gateway host may not have.
    const binding = deps.binding ?? SerialPort.binding;
    super(`serial://${options.path}`, (handlers) => openSerialConnection(options, binding, handlers), deps);
  }
}

/** Opens the port once; resolves when open, rejects with the OS reason when not. */
function openSerialConnection(
  options: SerialTransportOptions,
  binding: BindingInterface,
  handlers: LinkHandlers,
): Promise<OpenConnection> {
  return new Promise((resolve, reject) => {
    const port = new SerialPortStream({
      binding,
      path: options.path,
      baudRate: options.baudRate,
      dataBits: options.dataBits,
      parity: options.parity,
      stopBits: options.stopBits,
      rtscts: false,
      xon: false,
      xoff: false,
      lock: true,
      autoOpen: false,
    });
    let opened = false;
    let closedByUs = false;
    let lost = false;
    let lastError: Error | null = null;

    const reportLost = (reason: string): void => {
      if (!opened || closedByUs || lost) return;
      lost = true;
      handlers.onLost(reason);
    };

    const connection: OpenConnection = {
      write: (bytes) =>
        new Promise<void>((done, failWrite) => {
          if (!port.isOpen) {
            failWrite(new Error('port closed'));
            return;
          }
          port.write(bytes, (err) => (err ? failWrite(err) : done()));
        }),
      close: () =>
        new Promise<void>((done) => {
          closedByUs = true;
          if (!port.isOpen || port.closing) {
            done();
            return;
          }
          // Errors on close are reported through the callback; the port is released either way.
          port.close(() => done());
        }),
    };

    port.on('data', (bytes: Buffer) => handlers.onData(bytes));
    // Without an 'error' listener a stream error would crash the process.
    port.on('error', (err: Error) => {
      lastError = err;
    });
    // A disconnect (USB adapter unplugged, pty master gone) closes the port with an error.
    port.on('close', (err: Error | null) => {
      const reason = err ?? lastError;
      reportLost(reason ? describeError(reason) : 'port closed');
    });
    // A zero-byte read (end of file) ends the stream: the port is unusable, treat as lost.
    port.on('end', () => {
      if (!opened || closedByUs) return;
      const wasOpen = port.isOpen;
      reportLost('end of stream from the port');
      if (wasOpen && !port.closing) port.close(() => undefined);
    });

    port.open((err) => {
      if (err) {
        reject(err);
        return;
      }
      opened = true;
      resolve(connection);
    });
  });
}
