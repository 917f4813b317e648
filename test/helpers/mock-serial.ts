import { SerialPortMock } from 'serialport';
import type { TransportDeps } from '../../src/transport/serial-transport.js';

/**
 * @serialport/binding-mock's MockBinding, taken from serialport so that it is the same
 * instance (and port registry) the serialport stream uses; the ESM import is another copy.
 */
export const MockBinding = SerialPortMock.binding;
export type MockPort = Awaited<ReturnType<typeof MockBinding.open>>;

/** The mock binding, remembering each port it opens so a test can play the device on it. */
export function recordingBinding(): { binding: NonNullable<TransportDeps['binding']>; opened: MockPort[] } {
  const opened: MockPort[] = [];
  const binding = {
    list: () => MockBinding.list(),
    open: async (options: Parameters<typeof MockBinding.open>[0]) => {
      const port = await MockBinding.open(options);
      opened.push(port);
      return port;
    },
  };
  return { binding, opened };
}

/**
 * Plays a request/response device on a mock port: every new byte the driver writes is
 * handed to `device.handleBytes`, and its reply is emitted back on the port. Returns the
 * function that stops playing.
 */
export function playDeviceOnPort(port: MockPort, device: { handleBytes(chunk: Uint8Array): Uint8Array }): () => void {
  let answered = 0;
  const timer = setInterval(() => {
    const written = port.recording;
    if (written.length > answered) {
      const reply = device.handleBytes(written.subarray(answered));
      answered = written.length;
      if (reply.length > 0) port.emitData(Buffer.from(reply));
    }
  }, 5);
  return () => clearInterval(timer);
}
