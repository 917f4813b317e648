/** HTTP answers of the station: the security headers every answer carries, and JSON replies. */
import type { ServerResponse } from 'node:http';

/** Sent with every answer: no sniffing, no caching, only same-origin content, no framing. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

/** A JSON answer to send. */
export interface JsonReply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Writes a JSON answer (nothing if the answer was already started). */
export function sendJson(res: ServerResponse, reply: JsonReply): void {
  if (res.headersSent) return;
  res.writeHead(reply.status, {
    ...SECURITY_HEADERS,
    ...reply.headers,
    'Content-Type': 'application/json; charset=utf-8',
  });
  res.end(JSON.stringify(reply.body));
}
