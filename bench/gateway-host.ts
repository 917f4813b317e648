/**
 * Where the measured gateway runs. `npm run bench` runs it in a child process of its own
 * (`childProcessGateway`), so that its CPU time and RSS are the gateway's alone, not the
 * emulators' or the station client's; the smoke test runs it in the test's process
 * (`inProcessGateway`). Both give the same handle; the child answers over Node's IPC
 * channel (bench/gateway-child.ts).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { startBenchGateway, type BenchGatewaySpec, type GatewayWindowReport } from './gateway-under-test.js';
import { DAEMON_NODE_FLAGS } from '../src/daemon/node-flags.js';

/** A running gateway, wherever it runs. */
export interface GatewayHandle {
  readonly stationUrl: string;
  readonly deviceCount: number;
  openTransports(): Promise<number>;
  beginWindow(): Promise<void>;
  endWindow(): Promise<GatewayWindowReport>;
  stop(): Promise<void>;
}

/** Starts a gateway for a spec. */
export type GatewayLauncher = (spec: BenchGatewaySpec) => Promise<GatewayHandle>;

/** Requests the parent sends to the child, and the child's replies. */
export type GatewayRequest =
  | { readonly id: number; readonly op: 'start'; readonly spec: BenchGatewaySpec }
  | { readonly id: number; readonly op: 'open' | 'begin' | 'end' | 'stop' };
export type GatewayReply = { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

/** The gateway in this process. */
export const inProcessGateway: GatewayLauncher = async (spec) => {
  const gateway = await startBenchGateway(spec);
  return {
    stationUrl: gateway.stationUrl,
    deviceCount: gateway.deviceCount,
    openTransports: async () => gateway.openTransports(),
    beginWindow: () => gateway.beginWindow(),
    endWindow: () => gateway.endWindow(),
    stop: () => gateway.stop(),
  };
};

export interface ChildGatewayOptions {
  /** The compiled bench/gateway-child.js. */
  readonly script: string;
  /** Pin the gateway process (all its threads) to this CPU with taskset (Linux). */
  readonly cpu?: number;
  /** Node flags of the gateway process besides --expose-gc (default: the daemon's own, DAEMON_NODE_FLAGS). */
  readonly nodeFlags?: readonly string[];
}

/** The gateway in a child process (node --expose-gc, so memory is read after a full GC). */
export function childProcessGateway(options: ChildGatewayOptions): GatewayLauncher {
  return async (spec) => {
    // By default the daemon's own Node flags (npm start), so that the bench measures what ships.
    const execArgv = ['--expose-gc', ...(options.nodeFlags ?? DAEMON_NODE_FLAGS)];
    const child = fork(options.script, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const call = ipcCaller(child);
    try {
      if (options.cpu !== undefined && child.pid !== undefined) pinToCpus(child.pid, [options.cpu]);
      const started = (await call({ op: 'start', spec })) as { stationUrl: string; deviceCount: number };
      return {
        stationUrl: started.stationUrl,
        deviceCount: started.deviceCount,
        openTransports: async () => (await call({ op: 'open' })) as number,
        beginWindow: async () => void (await call({ op: 'begin' })),
        endWindow: async () => (await call({ op: 'end' })) as GatewayWindowReport,
        stop: async () => {
          const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
          await call({ op: 'stop' });
          await exited;
        },
      };
    } catch (err) {
      child.kill();
      throw err;
    }
  };
}

/** Pins every thread of process `pid` to `cpus` (taskset, Linux). */
export function pinToCpus(pid: number, cpus: readonly number[]): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus.join(','), String(pid)], { stdio: 'ignore' });
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** Request/response over the child's IPC channel; every pending call fails if the child exits. */
function ipcCaller(child: ChildProcess): (request: { op: GatewayRequest['op']; spec?: BenchGatewaySpec }) => Promise<unknown> {
  let nextId = 1;
  const pending = new Map<number, Pending>();
  child.on('message', (raw) => {
    const reply = raw as GatewayReply;
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(`gateway process: ${reply.error}`));
  });
  child.on('exit', (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`gateway process exited (code ${code}, signal ${signal})`));
    pending.clear();
  });
  return (request) =>
    new Promise((resolve, reject) => {
      if (child.exitCode !== null || !child.connected) {
        reject(new Error('gateway process is not running'));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, ...request });
    });
}
