import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { SimulatorHost } from '../../simulators/sim-host.js';
import { createPtyPair, type PtyPair } from '../helpers/socat-pty.js';

/**
 * Third-party conformance: mbpoll (libmodbus, Debian package `mbpoll`) reads the reference
 * Modbus monitor over Modbus TCP and over Modbus RTU on a socat pseudo-terminal pair, and
 * gets the values docs/protocols/reference-monitor.md documents for the patient's vitals.
 * The clock is frozen, so the patient (noise included) holds still while mbpoll reads.
 */

interface MbpollResult {
  code: number;
  stdout: string;
  stderr: string;
}

function mbpoll(args: string[]): Promise<MbpollResult> {
  return new Promise((resolve, reject) => {
    execFile('mbpoll', args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('mbpoll not found: install it with `apt-get install mbpoll` (Debian package, libmodbus based)'));
        return;
      }
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The `[ref]: value` lines of mbpoll's output, as strings by reference. */
function values(out: string): Map<number, string> {
  const found = new Map<number, string>();
  for (const m of out.matchAll(/^\[(\d+)\]:\s+(\S+)\s*$/gm)) found.set(Number(m[1]), m[2] as string);
  return found;
}

const f32 = (v: number): number => Math.fround(v);

describe('mbpoll against the reference Modbus monitor', () => {
  let host: SimulatorHost;
  let pty: PtyPair;
  let tcpPort: number;
  /** Common arguments: PDU (0-based) addressing, poll once; values to write go after the host or device. */
  const tcp = (args: string[], write: string[] = []): string[] =>
    ['-m', 'tcp', '-p', String(tcpPort), '-a', '1', '-0', '-1', ...args, '127.0.0.1', ...write];
  const rtu = (args: string[], write: string[] = []): string[] =>
    ['-m', 'rtu', '-b', '19200', '-P', 'even', '-a', '1', '-0', '-1', ...args, pty.b, ...write];
  const T0_SECONDS = Date.UTC(2026, 0, 1) / 1000;

  beforeAll(async () => {
    await mbpoll(['-V']);
    pty = await createPtyPair();
    host = new SimulatorHost({ logger: silentLogger(), clock: new ManualClock() });
    host.addBed('bed-1', { seed: 42 });
    tcpPort = (await host.addDevice({
      bedId: 'bed-1', deviceId: 'monitor', model: 'modbus-monitor', listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
    })).port as number;
    await host.addOutput('bed-1', 'monitor', { kind: 'serial', path: pty.a, baudRate: 19_200 });
  });
  afterAll(async () => {
    await host?.stop();
    await pty?.close();
  });

  /** What the documentation says the registers hold for the patient's vitals now. */
  function documented() {
    const v = host.describeBed('bed-1').vitals;
    const sys = Math.round(v.nibpSysMmHg as number);
    const dia = Math.round(v.nibpDiaMmHg as number);
    return {
      int16s: ['0', String(Math.round(v.pulseRate)), String(Math.round(v.spo2)), String(Math.round(v.pulseRate)),
        String(Math.round(v.respRate as number)), String(Math.round((v.temperatureC as number) * 100))],
      etco2: f32(Math.round((v.etco2MmHg as number) * 10) / 10),
      perfusionIndexThousandths: Math.round(v.perfusionIndex * 1000),
      nibp: [String(sys), String(dia), String(Math.round(dia + (sys - dia) / 3))],
    };
  }

  for (const link of ['tcp', 'rtu'] as const) {
    const args = (a: string[], write: string[] = []): string[] => (link === 'tcp' ? tcp(a, write) : rtu(a, write));

    it(`reads the documented values over Modbus ${link.toUpperCase()}`, async () => {
      const want = documented();
      const numerics = await mbpoll(args(['-t', '3', '-r', '0', '-c', '6']));
      expect(numerics.code, numerics.stdout + numerics.stderr).toBe(0);
      expect([...values(numerics.stdout).values()]).toEqual(want.int16s);

      const etco2 = values((await mbpoll(args(['-t', '3:float', '-B', '-r', '6']))).stdout).get(6);
      expect(f32(Number(etco2))).toBeCloseTo(want.etco2, 4);
      const pi = values((await mbpoll(args(['-t', '3:int', '-r', '8']))).stdout).get(8); // mbpoll's default: low word first
      expect(Number(pi)).toBe(want.perfusionIndexThousandths);

      const nibp = await mbpoll(args(['-t', '3', '-r', '16', '-c', '3']));
      expect([...values(nibp.stdout).values()]).toEqual(want.nibp);
      const measuredAt = values((await mbpoll(args(['-t', '3:int', '-B', '-r', '19']))).stdout).get(19);
      expect(Number(measuredAt)).toBe(T0_SECONDS);
      const settings = await mbpoll(args(['-t', '4', '-r', '0', '-c', '2']));
      expect([...values(settings.stdout).values()]).toEqual(['300', '0']);
    });

    it(`gets exceptions 02 and 03 over Modbus ${link.toUpperCase()}`, async () => {
      const beyond = await mbpoll(args(['-t', '4', '-r', '0', '-c', '3']));
      expect(beyond.code).not.toBe(0);
      expect(beyond.stdout + beyond.stderr).toMatch(/Illegal data address/i);
      const badInterval = await mbpoll(args(['-t', '4', '-r', '0'], ['30']));
      expect(badInterval.code).not.toBe(0);
      expect(badInterval.stdout + badInterval.stderr).toMatch(/Illegal data value/i);
    });
  }

  it('writes the NIBP interval with mbpoll over TCP and reads it back over RTU', async () => {
    const write = await mbpoll(tcp(['-t', '4', '-r', '0'], ['600']));
    expect(write.code, write.stdout + write.stderr).toBe(0);
    expect(values((await mbpoll(rtu(['-t', '4', '-r', '0']))).stdout).get(0)).toBe('600');
    // seconds to the next automatic measurement restart from the new interval
    expect(values((await mbpoll(rtu(['-t', '3', '-r', '21']))).stdout).get(21)).toBe('600');
  });

  it('reads the "no value" sentinels and status bits under sensor faults', async () => {
    host.trigger('bed-1', 'monitor', { type: 'sensor-off' });
    host.trigger('bed-1', 'monitor', { type: 'co2-occlusion' });
    try {
      const out = values((await mbpoll(rtu(['-t', '3:hex', '-r', '0', '-c', '10']))).stdout);
      expect([0, 2, 3, 4, 8, 9].map((r) => out.get(r))).toEqual(['0x0009', '0xFFFF', '0xFFFF', '0xFFFF', '0x0000', '0x8000']);
      const etco2 = values((await mbpoll(tcp(['-t', '3:float', '-B', '-r', '6']))).stdout).get(6);
      expect(etco2).toMatch(/^-?nan$/i); // a float32 NaN: no value
    } finally {
      host.trigger('bed-1', 'monitor', { type: 'resume' });
    }
  });

  it('gets no answer while the monitor is silent (mbpoll times out)', async () => {
    host.trigger('bed-1', 'monitor', { type: 'silence' });
    try {
      const res = await mbpoll(rtu(['-o', '0.2', '-t', '3', '-r', '0']));
      expect(res.code).not.toBe(0);
      expect(res.stdout + res.stderr).toMatch(/timed out/i);
    } finally {
      host.trigger('bed-1', 'monitor', { type: 'resume' });
    }
  });
});
