import { describe, expect, it } from 'vitest';
import { runSimCli } from '../../simulators/sim-cli.js';
import { createPtyPair } from '../helpers/socat-pty.js';
import { closeClient, rtuClient, tcpClient, until } from './modbus-client.js';

function capture(signal?: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s), signal }, out, err };
}

describe('vigil sim run --model modbus-monitor', () => {
  it('serves Modbus TCP and RTU with the unit id and NIBP interval given, and takes monitor events', async () => {
    const pty = await createPtyPair();
    const stop = new AbortController();
    const c = capture(stop.signal);
    const running = runSimCli(
      ['run', '--model', 'modbus-monitor', '--tcp', '0', '--serial', pty.a, '--unit-id', '9', '--nibp-interval', '900',
        '--control-port', '0', '--log-level', 'silent'],
      c.io,
    );
    try {
      await until(() => c.out.some((l) => l.startsWith('control API on')), 'the simulator to start', 10_000);
      const port = Number(/modbus-tcp:\/\/127\.0\.0\.1:(\d+)/.exec(c.out.join('\n'))?.[1]);
      expect(c.out.join('\n')).toMatch(/modbus-monitor bed-1\/monitor serving on modbus-tcp:\/\/127\.0\.0\.1:\d+, modbus-rtu:\/\/.*@19200-8E1#9/);
      const tcp = await tcpClient(port, 9);
      const rtu = await rtuClient(pty.b, 9);
      try {
        expect((await tcp.readHoldingRegisters(0, 1)).data).toEqual([900]);
        const control = /(http:\/\/127\.0\.0\.1:\d+)/.exec(c.out.find((l) => l.startsWith('control API on')) ?? '')?.[1] as string;
        const ev = capture();
        expect(await runSimCli(['event', 'bed-1', 'monitor', 'leads-off', '--control', control], ev.io)).toBe(0);
        expect((await rtu.readInputRegisters(0, 2)).data).toEqual([0b0010, 0xffff]);
      } finally {
        await closeClient(tcp);
        await closeClient(rtu);
      }
      expect(await runSimCli(['run', '--model', 'radical-7', '--tcp', '0', '--nibp-interval', '60'], capture().io)).toBe(2);
    } finally {
      stop.abort();
      expect(await running).toBe(0);
      await pty.close();
    }
  });
});
