import modbusSerial from 'modbus-serial';

/** modbus-serial's client class (a CommonJS module whose `default` is itself). */
const ModbusRTU = modbusSerial.default;
/** A modbus-serial client. */
export type ModbusRTU = InstanceType<typeof ModbusRTU>;
import { SerialPort } from 'serialport';

/** A modbus-serial client (a third-party master) connected over Modbus TCP. */
export async function tcpClient(port: number, unitId = 1, timeoutMs = 2000): Promise<ModbusRTU> {
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port });
  client.setID(unitId);
  client.setTimeout(timeoutMs);
  return client;
}

/** A modbus-serial client over RTU on a serial path (one end of a socat pty pair), 19200 8E1. */
export async function rtuClient(path: string, unitId = 1, timeoutMs = 2000): Promise<ModbusRTU> {
  const client = new ModbusRTU();
  await client.connectRTUBuffered(path, { baudRate: 19_200, parity: 'even', dataBits: 8, stopBits: 1 });
  client.setID(unitId);
  client.setTimeout(timeoutMs);
  return client;
}

/** Closes a modbus-serial client and waits for it. */
export function closeClient(client: ModbusRTU): Promise<void> {
  return new Promise((resolve) => {
    if (!client.isOpen) return resolve();
    client.close(() => resolve());
  });
}

/** The Modbus exception code of a rejected modbus-serial call (undefined when it did not fail that way). */
export async function exceptionOf(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
  } catch (err) {
    return (err as { modbusCode?: number }).modbusCode;
  }
  return undefined;
}

/** A raw serial port on the master's end of a pty, to send hand-made frames. */
export async function rawPort(path: string): Promise<{ port: SerialPort; received: Buffer[] }> {
  const port = new SerialPort({ path, baudRate: 19_200, parity: 'even', autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const received: Buffer[] = [];
  port.on('data', (b: Buffer) => received.push(b));
  return { port, received };
}

/** Polls `check` every 5 ms until it is true; rejects naming `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
