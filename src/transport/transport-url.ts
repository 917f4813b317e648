import { isIPv6 } from 'node:net';
import { VigilError } from '../core/errors.js';

/** What a transport URL names: a local serial port or a terminal-server TCP port. */
export type TransportSpec =
  | {
      kind: 'serial';
      path: string;
      baudRate?: number;
      dataBits?: 5 | 6 | 7 | 8;
      parity?: 'none' | 'even' | 'odd';
      stopBits?: 1 | 2;
    }
  | { kind: 'tcp'; host: string; port: number; connectTimeoutMs?: number };

type SerialSpec = Extract<TransportSpec, { kind: 'serial' }>;
type TcpSpec = Extract<TransportSpec, { kind: 'tcp' }>;

/** Baud rates accepted in a URL: the standard UART rates (a typo like 96000 is caught here). */
export const STANDARD_BAUD_RATES: readonly number[] = [
  50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 14400, 19200, 28800, 38400,
  57600, 76800, 115200, 230400, 460800, 500000, 576000, 921600, 1000000,
];

const SERIAL_KEYS = ['baudRate', 'dataBits', 'parity', 'stopBits'] as const;
const TCP_KEYS = ['connectTimeoutMs'] as const;
const CONNECT_TIMEOUT_RANGE_MS = { min: 100, max: 120_000 } as const;
const EXAMPLES = 'serial:///dev/ttyUSB0?baudRate=9600 or tcp://10.0.0.5:4001';

/**
 * Parses `serial:///dev/ttyUSB0?baudRate=9600&dataBits=8&parity=none&stopBits=1`
 * (also `serial://COM3`) or `tcp://10.0.0.5:4001` (`tcp://[fe80::1]:4001`,
 * optional `?connectTimeoutMs=3000`). Serial settings left out of the URL stay
 * undefined: the driver's SerialDefaults fill them (see createTransport).
 * Throws VigilError('TRANSPORT_URL_INVALID') whose message names every problem.
 */
export function parseTransportUrl(url: string): TransportSpec {
  const { spec, problems } = analyseTransportUrl(url);
  if (spec === null || problems.length > 0) {
    throw new VigilError('TRANSPORT_URL_INVALID', `invalid transport URL '${url}': ${problems.join('; ')}`, {
      url,
      problems,
    });
  }
  return spec;
}

/** Same check as parseTransportUrl, returning each problem (empty when the URL is fine). */
export function transportUrlProblems(url: string): string[] {
  return analyseTransportUrl(url).problems;
}

function analyseTransportUrl(raw: string): { spec: TransportSpec | null; problems: string[] } {
  const problems: string[] = [];
  const url = typeof raw === 'string' ? raw.trim() : '';
  if (url === '') return { spec: null, problems: [`empty transport URL: expected ${EXAMPLES}`] };
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(url);
  if (!match) return { spec: null, problems: [`not a transport URL: expected ${EXAMPLES}`] };
  const scheme = (match[1] ?? '').toLowerCase();
  let rest = match[2] ?? '';
  if (rest.includes('#')) {
    problems.push(`unexpected fragment '${rest.slice(rest.indexOf('#'))}'`);
    rest = rest.slice(0, rest.indexOf('#'));
  }
  const queryAt = rest.indexOf('?');
  const body = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const query = queryAt < 0 ? '' : rest.slice(queryAt + 1);
  if (scheme === 'serial') return collect(parseSerial(body, query, problems), problems);
  if (scheme === 'tcp') return collect(parseTcp(body, query, problems), problems);
  return { spec: null, problems: [`unknown scheme '${scheme}:' (expected serial:// or tcp://)`] };
}

function collect(spec: TransportSpec | null, problems: string[]): { spec: TransportSpec | null; problems: string[] } {
  return { spec: problems.length === 0 ? spec : null, problems };
}

function parseSerial(body: string, query: string, problems: string[]): SerialSpec | null {
  let path: string;
  try {
    path = decodeURIComponent(body);
  } catch {
    problems.push(`serial path '${body}' has a bad %-escape`);
    return null;
  }
  if (path === '' || path === '/') {
    problems.push(`empty serial port path: write serial:///dev/ttyUSB0`);
  } else if (!path.startsWith('/') && !/^COM\d+$/i.test(path)) {
    problems.push(`serial port path '${path}' is not absolute: write serial:///${path} (three slashes)`);
  }
  const spec: SerialSpec = { kind: 'serial', path };
  for (const [key, value] of queryEntries(query, SERIAL_KEYS, problems)) {
    switch (key) {
      case 'baudRate': {
        const n = integer(value);
        if (n === null || !STANDARD_BAUD_RATES.includes(n)) {
          problems.push(`baudRate '${value}' is not a standard baud rate (${STANDARD_BAUD_RATES.join(', ')})`);
        } else spec.baudRate = n;
        break;
      }
      case 'dataBits': {
        const n = integer(value);
        if (n === 5 || n === 6 || n === 7 || n === 8) spec.dataBits = n;
        else problems.push(`dataBits '${value}' must be 5, 6, 7 or 8`);
        break;
      }
      case 'parity':
        if (value === 'none' || value === 'even' || value === 'odd') spec.parity = value;
        else problems.push(`parity '${value}' must be none, even or odd`);
        break;
      case 'stopBits': {
        const n = integer(value);
        if (n === 1 || n === 2) spec.stopBits = n;
        else problems.push(`stopBits '${value}' must be 1 or 2`);
        break;
      }
    }
  }
  return spec;
}

function parseTcp(body: string, query: string, problems: string[]): TcpSpec | null {
  if (body.includes('@')) {
    problems.push(`user info ('${body.slice(0, body.indexOf('@') + 1)}') is not supported in a tcp URL`);
    return null;
  }
  const slashAt = body.indexOf('/');
  if (slashAt >= 0) {
    problems.push(`unexpected path '${body.slice(slashAt)}' after the port: write tcp://host:port`);
    body = body.slice(0, slashAt);
  }
  const hostPort = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(body);
  const hostText = hostPort?.[1] ?? '';
  const portText = hostPort?.[2];
  let host = hostText;
  if (hostText.startsWith('[')) {
    host = hostText.slice(1, -1);
    if (!isIPv6(host)) problems.push(`'${host}' is not an IPv6 address`);
  } else if (hostText === '') {
    problems.push(`missing host: write tcp://host:port`);
  } else if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(hostText)) {
    problems.push(`host '${hostText}' is not a valid host name or IPv4 address`);
  }
  let port = 0;
  if (portText === undefined) {
    problems.push(`missing port: write tcp://${hostText || 'host'}:port`);
  } else if (portText === '') {
    problems.push(`empty port after ':': write tcp://${hostText || 'host'}:port`);
  } else {
    const n = integer(portText);
    if (n === null) problems.push(`port '${portText}' is not a number`);
    else if (n < 1 || n > 65535) problems.push(`port ${n} is out of range 1-65535`);
    else port = n;
  }
  const spec: TcpSpec = { kind: 'tcp', host, port };
  for (const [key, value] of queryEntries(query, TCP_KEYS, problems)) {
    if (key === 'connectTimeoutMs') {
      const n = integer(value);
      const { min, max } = CONNECT_TIMEOUT_RANGE_MS;
      if (n === null || n < min || n > max) problems.push(`connectTimeoutMs '${value}' must be a whole number ${min}-${max}`);
      else spec.connectTimeoutMs = n;
    }
  }
  return spec;
}

/** Query entries with known keys; records unknown, repeated and empty ones as problems. */
function queryEntries<K extends string>(query: string, allowed: readonly K[], problems: string[]): [K, string][] {
  const out: [K, string][] = [];
  if (query === '') return out;
  const seen = new Set<string>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : safeDecode(part.slice(eq + 1));
    if (!(allowed as readonly string[]).includes(key)) {
      problems.push(`unknown query key '${key}' (allowed: ${allowed.join(', ')})`);
    } else if (seen.has(key)) {
      problems.push(`query key '${key}' is given more than once`);
    } else if (value === '') {
      problems.push(`query key '${key}' has no value`);
    } else {
      out.push([key as K, value]);
    }
    seen.add(key);
  }
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A plain decimal integer (no sign, no exponent, no spaces), or null. */
function integer(text: string): number | null {
  return /^\d{1,9}$/.test(text) ? Number(text) : null;
}
