import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { SimulatorHost } from '../../simulators/sim-host.js';
import { SerialDeviceOutput } from '../../simulators/serve/serial-device-output.js';
import { parseReferenceLine, waitFor } from './helpers.js';

const hasSocat = ['/usr/bin/socat', '/usr/local/bin/socat', '/bin/socat'].some((p) => existsSync(p));

describe.skipIf(!hasSocat)('serial output over a socat pseudo-terminal pair', () => {
  let dir: string;
  let socat: ChildProcess | null = null;
  let output: SerialDeviceOutput | null = null;
  let reader: SerialPort | null = null;

  const startSocat = async (): Promise<void> => {
    socat = spawn('socat', [`pty,raw,echo=0,link=${join(dir, 'device')}`, `pty,raw,echo=0,link=${join(dir, 'host')}`], {
      stdio: 'ignore',
    });
    await waitFor(() => (existsSync(join(dir, 'device')) && existsSync(join(dir, 'host')) ? true : undefined), 5000, 'pty pair');
  };
  const stopSocat = async (): Promise<void> => {
    const child = socat;
    socat = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const openReader = async (): Promise<{ text: () => string }> => {
    let received = '';
    const port = new SerialPort({ path: join(dir, 'host'), baudRate: 9600 });
    reader = port;
    port.on('data', (b: Buffer) => (received += b.toString('latin1')));
    await new Promise<void>((resolve, reject) => {
      port.once('open', () => resolve());
      port.once('error', reject);
    });
    return { text: () => received };
  };
  const closeReader = async (): Promise<void> => {
    const port = reader;
    reader = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-sim-serial-'));
  });
  afterEach(async () => {
    await output?.stop();
    output = null;
    await closeReader();
    await stopSocat();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the device bytes to the serial path', async () => {
    await startSocat();
    const host = await openReader();
    output = new SerialDeviceOutput({ path: join(dir, 'device'), baudRate: 9600, logger: silentLogger() });
    await output.start();
    expect(output.detail()).toBe('open');
    output.write(Buffer.from('05/14/26 13:45:01 SPO2=098% BPM=072 PI=03.45% ALARM=0000 EXC=000000\r\n'));
    await waitFor(() => (host.text().endsWith('\r\n') ? true : undefined), 5000, 'line on the other end');
    expect(host.text()).toBe('05/14/26 13:45:01 SPO2=098% BPM=072 PI=03.45% ALARM=0000 EXC=000000\r\n');

    output.setConnected(false);
    output.write(Buffer.from('dropped\r\n'));
    output.setConnected(true);
    output.write(Buffer.from('kept\r\n'));
    await waitFor(() => (host.text().endsWith('kept\r\n') ? true : undefined), 5000, 'second write');
    expect(host.text()).not.toContain('dropped');
  });

  it('keeps retrying until the path exists, and reopens after the port goes away', async () => {
    output = new SerialDeviceOutput({ path: join(dir, 'device'), baudRate: 9600, logger: silentLogger(), reopenDelayMs: 50 });
    await output.start();
    expect(output.detail()).toMatch(/^reopening: /);

    await startSocat();
    await waitFor(() => (output?.detail() === 'open' ? true : undefined), 5000, 'output opened');
    let host = await openReader();
    output.write(Buffer.from('first\r\n'));
    await waitFor(() => (host.text() === 'first\r\n' ? true : undefined), 5000, 'first line');

    await closeReader();
    await stopSocat();
    // A device keeps writing (a line a second); a write on the vanished port shows the failure
    // even when the kernel's hang-up has not been read yet (seen under load).
    await waitFor(() => {
      if (output?.detail().startsWith('reopening')) return true;
      output?.write(Buffer.from('lost\r\n'));
      return undefined;
    }, 10000, 'failure noticed');
    await startSocat();
    await waitFor(() => (output?.detail() === 'open' ? true : undefined), 5000, 'output reopened');
    host = await openReader();
    output.write(Buffer.from('second\r\n'));
    await waitFor(() => (host.text() === 'second\r\n' ? true : undefined), 5000, 'line after reopen');
  });

  it('a simulator host device writes its lines to both a TCP port and a serial path', async () => {
    await startSocat();
    const host = await openReader();
    const sims = new SimulatorHost({ logger: silentLogger() });
    try {
      await sims.addDevice({
        bedId: 'bed-1', deviceId: 'ox', model: 'masimo-radical-5', listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
      });
      await sims.addOutput('bed-1', 'ox', { kind: 'serial', path: join(dir, 'device'), baudRate: 9600 });
      expect(sims.list()[0]?.listen).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+, serial:\/\/.*device@9600$/);
      const line = await waitFor(() => /^[^\r]*\r\n/.exec(host.text())?.[0], 5000, 'a line (real time, 1 s)');
      parseReferenceLine('radical-5', line);
    } finally {
      await sims.stop();
    }
  });
});
