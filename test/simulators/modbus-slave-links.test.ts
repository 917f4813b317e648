import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { withModbusCrc } from '../../drivers/modbus/modbus-crc.js';
import { ModbusRtuSlave } from '../../simulators/modbus/modbus-rtu-slave.js';
import { ModbusSlave } from '../../simulators/modbus/modbus-slave.js';
import { ModbusTcpServer } from '../../simulators/modbus/modbus-tcp-server.js';
import { RegisterBank } from '../../simulators/modbus/register-bank.js';
import { createPtyPair, type PtyPair } from '../helpers/socat-pty.js';
import { closeClient, exceptionOf, rawPort, rtuClient, tcpClient, until, type ModbusRTU } from './modbus-client.js';

function device(): ModbusSlave {
  const bank = new RegisterBank({ holdingCount: 8, inputCount: 16 });
  bank.set('input', 0, [11, 22, 33, 44]);
  return new ModbusSlave({ unitId: 7, bank, logger: silentLogger() });
}

/** Sends raw bytes on a TCP connection and resolves with the next `bytes` bytes received. */
function exchange(socket: Socket, request: Buffer, bytes: number): Promise<Buffer> {
  return new Promise((resolve) => {
    let got = Buffer.alloc(0);
    const onData = (b: Buffer): void => {
      got = Buffer.concat([got, b]);
      if (got.length >= bytes) {
        socket.off('data', onData);
        resolve(got);
      }
    };
    socket.on('data', onData);
    socket.write(request);
  });
}

describe('ModbusTcpServer', () => {
  let slave: ModbusSlave;
  let server: ModbusTcpServer;
  let port: number;
  const clients: ModbusRTU[] = [];

  beforeEach(async () => {
    slave = device();
    server = new ModbusTcpServer({ slave, host: '127.0.0.1', port: 0, logger: silentLogger() });
    port = (await server.start()).port;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map(closeClient));
    await server.stop();
  });

  it('serves reads, writes and exceptions to a third-party master (modbus-serial)', async () => {
    const client = await tcpClient(port, 7);
    clients.push(client);
    expect((await client.readInputRegisters(1, 3)).data).toEqual([22, 33, 44]);
    await client.writeRegisters(2, [500, 600]);
    await client.writeRegister(0, 9);
    expect((await client.readHoldingRegisters(0, 4)).data).toEqual([9, 0, 500, 600]);
    expect(await exceptionOf(client.readInputRegisters(15, 2))).toBe(2);
    expect(await exceptionOf(client.readCoils(0, 1))).toBe(1);
    expect(slave.counters()).toMatchObject({ requests: 6, exceptions: 2 });
  });

  it('serves several clients at once', async () => {
    const a = await tcpClient(port, 7);
    const b = await tcpClient(port, 7);
    clients.push(a, b);
    const [ra, rb] = await Promise.all([a.readInputRegisters(0, 2), b.readInputRegisters(2, 2)]);
    expect([ra.data, rb.data]).toEqual([[11, 22], [33, 44]]);
    expect(server.detail()).toBe('2 clients');
  });

  it('answers requests that share a segment, keeps the transaction id, and gives 0B to another unit id', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const first = Buffer.from('1234' + '0000' + '0006' + '07' + '0400000001', 'hex');
    const second = Buffer.from('1235' + '0000' + '0006' + 'ff' + '0400030001', 'hex');
    const reply = await exchange(socket, Buffer.concat([first, second]), 22);
    expect(reply.toString('hex')).toBe('1234' + '0000' + '0005' + '07' + '0402000b' + '1235' + '0000' + '0005' + 'ff' + '0402002c');
    const other = await exchange(socket, Buffer.from('0001' + '0000' + '0006' + '09' + '0400000001', 'hex'), 9);
    expect(other.toString('hex')).toBe('0001' + '0000' + '0003' + '09' + '840b');
    socket.destroy();
  });

  it('closes a connection whose MBAP header is not Modbus', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const closed = new Promise((r) => socket.once('close', r));
    socket.write(Buffer.from('GET / HTTP/1.1\r\n\r\n', 'latin1'));
    await closed;
    expect(slave.counters().rejectedFrames).toBe(1);
  });

  it('under the silent fault stores a write but answers nothing; under corrupt the master rejects the reply', async () => {
    const client = await tcpClient(port, 7, 300);
    clients.push(client);
    slave.setReplyFault('silent');
    const silent = await client.writeRegister(1, 77).then(() => 'answered', (err: Error) => err.name);
    expect(silent).toBe('TransactionTimedOutError');
    expect(slave.bank.get('holding', 1)).toBe(77);
    slave.setReplyFault('corrupt');
    await expect(client.readInputRegisters(0, 1)).rejects.toThrow();
    slave.setReplyFault('none');
    expect((await client.readInputRegisters(0, 1)).data).toEqual([11]);
  });

  it('drops its clients and refuses new ones while disconnected', async () => {
    const client = await tcpClient(port, 7);
    clients.push(client);
    const closed = new Promise<void>((r) => client.on('close', () => r()));
    server.setConnected(false);
    await closed;
    await expect(tcpClient(port, 7)).rejects.toThrow();
    server.setConnected(true);
    const again = await tcpClient(port, 7);
    clients.push(again);
    expect((await again.readInputRegisters(3, 1)).data).toEqual([44]);
  });
});

describe('ModbusRtuSlave on a pseudo-terminal', () => {
  let pty: PtyPair;
  let slave: ModbusSlave;
  let rtu: ModbusRtuSlave;

  beforeEach(async () => {
    pty = await createPtyPair();
    slave = device();
    rtu = new ModbusRtuSlave({ slave, path: pty.a, baudRate: 19_200, logger: silentLogger() });
    await rtu.start();
  });
  afterEach(async () => {
    await rtu.stop();
    await pty.close();
  });

  it('serves reads, writes and exceptions to modbus-serial over RTU', async () => {
    const client = await rtuClient(pty.b, 7);
    try {
      expect((await client.readInputRegisters(0, 4)).data).toEqual([11, 22, 33, 44]);
      await client.writeRegisters(6, [1, 2]);
      expect((await client.readHoldingRegisters(5, 3)).data).toEqual([0, 1, 2]);
      expect(await exceptionOf(client.readHoldingRegisters(7, 2))).toBe(2);
    } finally {
      await closeClient(client);
    }
  });

  it('does not answer a request with a bad CRC, nor one for another unit, and answers the next good one', async () => {
    const { port, received } = await rawPort(pty.b);
    try {
      const good = withModbusCrc(Buffer.from('070400010001', 'hex'));
      const badCrc = Buffer.from(good);
      badCrc[badCrc.length - 1] = (badCrc[badCrc.length - 1] as number) ^ 0x01;
      port.write(badCrc);
      await until(() => slave.counters().rejectedFrames === 1, 'the bad frame to be rejected');
      port.write(withModbusCrc(Buffer.from('080400010001', 'hex')));
      await until(() => slave.counters().otherUnit === 1, 'the other unit frame to be ignored');
      port.write(withModbusCrc(Buffer.from('000600010005', 'hex')));
      await until(() => slave.counters().otherUnit === 2, 'the broadcast to be ignored');
      port.write(good);
      await until(() => Buffer.concat(received).length >= 7, 'the answer to the good frame');
      expect(Buffer.concat(received).toString('hex')).toBe(withModbusCrc(Buffer.from('07040200' + '16', 'hex')).toString('hex'));
      expect(slave.counters()).toMatchObject({ requests: 1, rejectedFrames: 1, otherUnit: 2 });
      expect(slave.bank.get('holding', 1)).toBe(0);
    } finally {
      await new Promise((r) => port.close(r));
    }
  });

  it('damages the CRC of its replies under the corrupt fault, and a master rejects them', async () => {
    const client = await rtuClient(pty.b, 7, 500);
    try {
      slave.setReplyFault('corrupt');
      await expect(client.readInputRegisters(0, 1)).rejects.toThrow(/CRC/i);
      slave.setReplyFault('none');
      expect((await client.readInputRegisters(0, 1)).data).toEqual([11]);
    } finally {
      await closeClient(client);
    }
  });
});
