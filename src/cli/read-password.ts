import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/**
 * Reads one line from standard input. On a terminal the typed characters are not
 * echoed; piped input (`--password-stdin`, scripts) is read as it comes.
 */
export function readPasswordLine(prompt = 'Password: '): Promise<string> {
  const interactive = process.stdin.isTTY === true;
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!muted) process.stderr.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: process.stdin, output: interactive ? output : undefined, terminal: interactive });
  return new Promise((resolve, reject) => {
    if (interactive) process.stderr.write(prompt);
    muted = true;
    rl.once('line', (line) => {
      resolve(line); // before close(): closing emits 'close' at once
      rl.close();
      if (interactive) process.stderr.write('\n');
    });
    rl.once('close', () => reject(new Error('no password given (standard input closed)')));
  });
}
