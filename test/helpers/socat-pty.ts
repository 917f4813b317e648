import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Two ends of a pseudo-terminal pair: bytes written to one end come out of the other. */
export interface PtyPair {
  /** Path of end a (a symlink to /dev/pts/N). */
  readonly a: string;
  /** Path of end b. */
  readonly b: string;
  /** Kills socat (which removes both links, like unplugging a USB adapter) and waits for it to exit. */
  close(): Promise<void>;
}

export interface PtyPairOptions {
  /** Link paths to reuse, e.g. to "plug the adapter back in" at the same path. Default: a new temp dir. */
  readonly a?: string;
  readonly b?: string;
  /** How long to wait for socat to create both links. Default 5000. */
  readonly readyTimeoutMs?: number;
}

/**
 * Creates a pseudo-terminal pair with socat
 * (`socat -d -d pty,raw,echo=0,link=<a> pty,raw,echo=0,link=<b>`), for testing the real
 * serialport binding. Throws 'socat not found: apt-get install socat' when socat is missing.
 * Uses real timers: call it before any vi.useFakeTimers().
 */
export async function createPtyPair(options: PtyPairOptions = {}): Promise<PtyPair> {
  const dir = options.a && options.b ? null : await mkdtemp(join(tmpdir(), 'vigil-pty-'));
  const a = options.a ?? join(dir as string, 'a');
  const b = options.b ?? join(dir as string, 'b');
  const readyTimeoutMs = options.readyTimeoutMs ?? 5000;
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  // A failed spawn emits 'error' and no 'exit'.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });

  const cleanup = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    if (dir) await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitForLinks(child, [a, b], readyTimeoutMs, () => stderr);
  } catch (err) {
    await cleanup().catch(() => undefined);
    throw err;
  }
  return { a, b, close: cleanup };
}

function waitForLinks(child: ChildProcess, links: string[], timeoutMs: number, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let poll: ReturnType<typeof setTimeout> | undefined;
    const fail = (err: Error): void => {
      clearTimeout(poll);
      child.off('exit', onExit);
      reject(err);
    };
    const onError = (err: NodeJS.ErrnoException): void => {
      fail(err.code === 'ENOENT' ? new Error('socat not found: apt-get install socat') : err);
    };
    const onExit = (code: number | null): void => {
      fail(new Error(`socat exited (code ${code}) before creating ${links.join(' and ')}: ${stderr()}`));
    };
    child.once('error', onError);
    child.once('exit', onExit);
    const check = (): void => {
      if (links.every((link) => existsSync(link))) {
        child.off('exit', onExit);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        fail(new Error(`socat did not create ${links.join(' and ')} within ${timeoutMs} ms: ${stderr()}`));
      } else {
        poll = setTimeout(check, 10);
      }
    };
    check();
  });
}
