import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { SimulatorHost } from '../../simulators/sim-host.js';
import { runSimCli } from '../../simulators/sim-cli.js';
import { parseReferenceLine, waitFor } from './helpers.js';

function capture(signal?: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s), signal }, out, err };
}

describe('vigil sim event / list against a running control API', () => {
  let host: SimulatorHost;
  let control: string;

  beforeEach(async () => {
    host = new SimulatorHost({ logger: silentLogger() });
    await host.addDevice({
      bedId: 'bed-1', deviceId: 'oximeter', model: 'masimo-radical-5', listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
    });
    control = `http://127.0.0.1:${await host.startControlServer('127.0.0.1', 0)}`;
  });
  afterEach(async () => {
    await host.stop();
  });

  it('posts a device event and a patient event', async () => {
    const c = capture();
    expect(await runSimCli(['event', 'bed-1', 'oximeter', 'silence', '--seconds', '30', '--control', control], c.io)).toBe(0);
    expect(host.list()[0]?.state).toBe('silent');
    expect(c.out.join('\n')).toContain('bed-1/oximeter');

    expect(await runSimCli(['event', 'bed-1', 'desaturation', '--target-spo2', '85', '--control', control], c.io)).toBe(0);
    expect(host.describeBed('bed-1').effects[0]).toContain('desaturation to 85');
    expect(c.err).toEqual([]);
  });

  it('prints the API error and returns 1 for a bad parameter or unknown bed', async () => {
    const bad = capture();
    expect(await runSimCli(['event', 'bed-1', 'pulse-change', '--target-bpm', '900', '--control', control], bad.io)).toBe(1);
    expect(bad.err.join('\n')).toMatch(/SIMULATOR_EVENT_INVALID \(HTTP 400\): targetBpm: /);

    const wrongParam = capture();
    expect(await runSimCli(['event', 'bed-1', 'desaturation', '--bytes', '4', '--control', control], wrongParam.io)).toBe(1);
    expect(wrongParam.err.join('\n')).toContain('bytes: not a parameter of "desaturation"');

    const unknown = capture();
    expect(await runSimCli(['event', 'bed-7', 'recover', '--control', control], unknown.io)).toBe(1);
    expect(unknown.err.join('\n')).toMatch(/SIMULATOR_UNKNOWN \(HTTP 404\).*"bed-7"/);
  });

  it('returns 2 with a clear message for usage errors', async () => {
    const c = capture();
    expect(await runSimCli(['event', 'bed-1', 'explode', '--control', control], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('unknown event type "explode"');
    expect(await runSimCli(['event', 'bed-1', 'desaturation', '--target-spo2', 'low'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('--target-spo2: "low" is not a number');
    expect(await runSimCli(['event', 'bed-1', 'recover', '--colour', 'red'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain("'--colour'");
    expect(await runSimCli(['dance'], c.io)).toBe(2);
  });

  it('returns 1 when the control API cannot be reached', async () => {
    const other = new SimulatorHost({ logger: silentLogger() });
    const closedPort = await other.startControlServer('127.0.0.1', 0);
    await other.stop();
    const c = capture();
    expect(await runSimCli(['event', 'bed-1', 'recover', '--control', `http://127.0.0.1:${closedPort}`], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/cannot reach the simulator control API at .*ECONNREFUSED/);
    expect(await runSimCli(['list', '--control', `http://127.0.0.1:${closedPort}`], c.io)).toBe(1);
  });

  it('list prints one row per device', async () => {
    const c = capture();
    expect(await runSimCli(['list', '--control', control], c.io)).toBe(0);
    expect(c.out[0]).toMatch(/^BED\s+DEVICE\s+MODEL\s+STATE\s+LISTEN/);
    expect(c.out[1]).toMatch(/^bed-1\s+oximeter\s+masimo-radical-5\s+streaming\s+tcp:\/\/127\.0\.0\.1:\d+/);
    const json = capture();
    expect(await runSimCli(['list', '--json', '--control', control], json.io)).toBe(0);
    expect(JSON.parse(json.out.join(''))).toHaveLength(1);
  });

  it('prints help for each subcommand', async () => {
    for (const sub of ['run', 'list', 'event', 'patient']) {
      const c = capture();
      expect(await runSimCli([sub, '--help'], c.io)).toBe(0);
      expect(c.out.join('\n')).toContain(`vigil sim ${sub}`);
    }
  });
});

describe('vigil sim run', () => {
  it('serves a device and a control API until stopped', async () => {
    const abort = new AbortController();
    const c = capture(abort.signal);
    const running = runSimCli(
      ['run', '--model', 'rad-8', '--tcp', '0', '--control-port', '0', '--bed', 'b1', '--device', 'ox', '--log-level', 'silent'],
      c.io,
    );
    const ready = await waitFor(() => (c.out.some((l) => l.includes('Ctrl-C')) ? c.out.join('\n') : undefined), 5000, 'ready');
    const devicePort = Number(/tcp:\/\/127\.0\.0\.1:(\d+)/.exec(ready)?.[1]);
    const control = /control API on (http:\/\/\S+)/.exec(ready)?.[1] as string;

    let text = '';
    const socket = connect(devicePort, '127.0.0.1');
    socket.on('data', (b: Buffer) => (text += b.toString('latin1')));
    try {
      const line = await waitFor(() => /^[^\r]*\r\n/.exec(text)?.[0], 5000, 'a line (real time, 1 s)');
      parseReferenceLine('rad-8', line);
      const ev = capture();
      expect(await runSimCli(['event', 'b1', 'ox', 'sensor-off', '--control', control], ev.io)).toBe(0);
      text = '';
      const off = await waitFor(() => /^[^\r]*\r\n/.exec(text)?.[0], 5000, 'a sensor-off line');
      expect(parseReferenceLine('rad-8', off).EXC).toBe('000020');
    } finally {
      socket.destroy();
    }
    abort.abort();
    expect(await running).toBe(0);
  });

  it('rejects a missing model or output with exit code 2', async () => {
    const c = capture();
    expect(await runSimCli(['run', '--tcp', '0'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('--model is required');
    expect(await runSimCli(['run', '--model', 'radical-9', '--tcp', '0'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('unknown model "radical-9"');
    expect(await runSimCli(['run', '--model', 'radical-7'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('--tcp <port> and/or --serial <path>');
  });
});
