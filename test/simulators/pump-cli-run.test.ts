import { describe, expect, it } from 'vitest';
import { runSimCli } from '../../simulators/sim-cli.js';
import { AsenaTestClient, infFields } from './asena-client.js';
import { waitFor } from './helpers.js';

function capture(signal?: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s), signal }, out, err };
}

describe('vigil sim run --model asena-gh', () => {
  it('serves a pump that answers commands, with its patient behind the control API', async () => {
    const abort = new AbortController();
    const c = capture(abort.signal);
    const running = runSimCli(
      ['run', '--model', 'asena-gh', '--tcp', '0', '--control-port', '0', '--concentration', '2', '--rate', '26.25', '--running',
        '--weight', '70', '--log-level', 'silent'],
      c.io,
    );
    const ready = await waitFor(() => (c.out.some((l) => l.includes('Ctrl-C')) ? c.out.join('\n') : undefined), 5000, 'ready');
    expect(ready).toContain('alaris-asena-gh bed-1/pump serving on tcp://127.0.0.1:');
    const port = Number(/tcp:\/\/127\.0\.0\.1:(\d+)/.exec(ready)?.[1]);
    const control = /control API on (http:\/\/\S+)/.exec(ready)?.[1] as string;
    const client = await AsenaTestClient.open(port);
    try {
      expect(infFields(await client.ask('INF'))).toMatchObject({ mode: 'INF', rate: 26.25 });
      const ev = capture();
      expect(await runSimCli(['event', 'bed-1', 'pump', 'keypad-stop', '--control', control], ev.io)).toBe(0);
      expect(infFields(await client.ask('INF')).mode).toBe('HLD');
      const patient = capture();
      expect(await runSimCli(['patient', 'bed-1', '--control', control], patient.io)).toBe(0);
      expect(patient.out.join('\n')).toContain('pump pump  stopped 26.25 mL/h (0.000 mg/kg/h) at 2.00 mg/mL');
    } finally {
      client.close();
    }
    abort.abort();
    expect(await running).toBe(0);
  });

  it('requires the syringe and rate for a pump, and refuses pump options for an oximeter', async () => {
    const c = capture();
    expect(await runSimCli(['run', '--model', 'asena-gh', '--tcp', '0', '--rate', '5'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('--concentration <mg/mL> and --rate <mL/h> are required for asena-gh');
    expect(await runSimCli(['run', '--model', 'radical-7', '--tcp', '0', '--rate', '5'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('--rate: only for a pump model (asena-gh)');
    expect(await runSimCli(['run', '--model', 'asena-gh', '--tcp', '0', '--concentration', '1', '--rate', '0', '--log-level', 'silent'], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/pump\.rateMlPerHour/);
  });
});
