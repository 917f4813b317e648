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
