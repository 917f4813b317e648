/**
 * Reads a JSON request body with a size cap. Never throws: a body that is too large,
 * not JSON or cut off becomes a result naming the problem, so no request can crash
 * or stall the station.
 */
import type { IncomingMessage } from 'node:http';

/** The body, parsed; or why it could not be read. `undefined` value = empty body. */
export type BodyResult =
  | { ok: true; value: unknown }
  | { ok: false; code: 'BODY_TOO_LARGE' | 'BODY_NOT_JSON'; message: string };

/**
 * Collects the body up to `maxBytes`. Past the cap it stops collecting (the rest is
 * discarded as it arrives) and reports BODY_TOO_LARGE; the caller answers with
 * `Connection: close`.
 */
export function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    const tooLarge = (size: string): BodyResult => ({
      ok: false,
      code: 'BODY_TOO_LARGE',
      message: `body: ${size} exceeds the limit of ${maxBytes} bytes`,
    });
    if (Number.isFinite(declared) && declared > maxBytes) {
      req.resume();
      resolve(tooLarge(`${declared} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) over = true;
      else chunks.push(chunk);
    });
    const cutOff = (): void => resolve({ ok: false, code: 'BODY_NOT_JSON', message: 'body: the request was cut off' });
    req.on('error', cutOff);
    req.on('close', () => {
      if (!req.complete) cutOff();
    });
    req.on('end', () => {
      if (over) return resolve(tooLarge(`${size} bytes`));
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({ ok: true, value: undefined });
      try {
        resolve({ ok: true, value: JSON.parse(text) as unknown });
      } catch (err) {
        // Only the position: V8's message may quote the body, which may hold a password.
        const position = /position (\d+)/.exec(err instanceof Error ? err.message : '')?.[1];
        const where = position === undefined ? '' : ` (error at position ${position})`;
        resolve({ ok: false, code: 'BODY_NOT_JSON', message: `body: not valid JSON${where}` });
      }
    });
  });
}
