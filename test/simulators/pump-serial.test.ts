import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsenaDeframer, encodeFrame } from '../../drivers/alaris-asena/frame-codec.js';
import { silentLogger } from '../../src/core/logger.js';
import { SimulatorHost } from '../../simulators/sim-host.js';
import { infFields } from './asena-client.js';
import { waitFor } from './helpers.js';

const hasSocat = ['/usr/bin/socat', '/usr/local/bin/socat', '/bin/socat'].some((p) => existsSync(p));

describe.skipIf(!hasSocat)('a simulated pump on a serial line (socat pseudo-terminal pair)', () => {
  let dir: string;
  let socat: ChildProcess | null = null;
  let hostPort: SerialPort | null = null;
  let sims: SimulatorHost | null = null;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-sim-pump-serial-'));
    socat = spawn('socat', [`pty,raw,echo=0,link=${join(dir, 'pump')}`, `pty,raw,echo=0,link=${join(dir, 'host')}`], { stdio: 'ignore' });
    await waitFor(() => (existsSync(join(dir, 'pump')) && existsSync(join(dir, 'host')) ? true : undefined), 5000, 'pty pair');
  });
  afterEach(async () => {
    await sims?.stop();
    sims = null;
    const port = hostPort;
    hostPort = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    const child = socat;
    socat = null;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers each command on the serial line, 38400 8N1', async () => {
    sims = new SimulatorHost({ logger: silentLogger() });
    await sims.addDevice({
      bedId: 'bed-1', deviceId: 'pump', model: 'alaris-asena-gh', serialNumber: '8002-00042',
      listen: { kind: 'serial', path: join(dir, 'pump'), baudRate: 38400 },
      pump: { concentrationMgPerMl: 1, rateMlPerHour: 12, running: true },
    });
    await waitFor(() => (sims?.list()[0]?.detail.endsWith('open') ? true : undefined), 5000, 'serial output open');
    const port = new SerialPort({ path: join(dir, 'host'), baudRate: 38400 });
    hostPort = port;
    const deframer = new AsenaDeframer();
    const frames: string[] = [];
    port.on('data', (b: Buffer) => {
      for (const out of deframer.push(b)) if (out.kind === 'frame') frames.push(out.body);
    });
    await new Promise<void>((resolve, reject) => {
      port.once('open', () => resolve());
      port.once('error', reject);
    });
    port.write(encodeFrame('INST_SERIALNO'));
    expect(await waitFor(() => frames.shift(), 5000, 'serial reply')).toBe('INST_SERIALNO^8002-00042');
    port.write(encodeFrame('INF'));
    expect(infFields(await waitFor(() => frames.shift(), 5000, 'INF reply'))).toMatchObject({ serial: '8002-00042', mode: 'INF', rate: 12 });
    expect(sims.pumpCommandCounts('bed-1', 'pump')).toMatchObject({ INST_SERIALNO: 1, INF: 1 });
  });
});
