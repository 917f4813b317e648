import { describe, expect, it } from 'vitest';
import { isVigilError } from '../../src/core/errors.js';
import { parseTransportUrl, transportUrlProblems } from '../../src/transport/transport-url.js';

function parseError(url: string): { message: string; context: Record<string, unknown> } {
  try {
    parseTransportUrl(url);
  } catch (err) {
    if (isVigilError(err, 'TRANSPORT_URL_INVALID')) return { message: err.message, context: err.context };
    throw err;
  }
  throw new Error(`expected ${url} to be rejected`);
}

describe('parseTransportUrl: valid URLs', () => {
  it('serial URL without query leaves line settings to the driver defaults', () => {
    expect(parseTransportUrl('serial:///dev/ttyUSB0')).toEqual({ kind: 'serial', path: '/dev/ttyUSB0' });
  });

  it('serial URL with every query key', () => {
    expect(parseTransportUrl('serial:///dev/ttyUSB0?baudRate=38400&dataBits=7&parity=even&stopBits=2')).toEqual({
      kind: 'serial',
      path: '/dev/ttyUSB0',
      baudRate: 38400,
      dataBits: 7,
      parity: 'even',
      stopBits: 2,
    });
  });

  it('serial by-id paths, %-escapes and Windows COM ports', () => {
    expect(parseTransportUrl('serial:///dev/serial/by-id/usb-FTDI_FT232R-if00-port0')).toMatchObject({
      path: '/dev/serial/by-id/usb-FTDI_FT232R-if00-port0',
    });
    expect(parseTransportUrl('serial:///tmp/my%20port')).toMatchObject({ path: '/tmp/my port' });
    expect(parseTransportUrl('serial://COM3?baudRate=9600')).toEqual({ kind: 'serial', path: 'COM3', baudRate: 9600 });
  });

  it('tcp URL, with and without query, IPv6 and host names', () => {
    expect(parseTransportUrl('tcp://10.0.0.5:4001')).toEqual({ kind: 'tcp', host: '10.0.0.5', port: 4001 });
    expect(parseTransportUrl('tcp://ts-ward3.local:4002?connectTimeoutMs=3000')).toEqual({
      kind: 'tcp',
      host: 'ts-ward3.local',
      port: 4002,
      connectTimeoutMs: 3000,
    });
    expect(parseTransportUrl('tcp://[fe80::1]:4001')).toEqual({ kind: 'tcp', host: 'fe80::1', port: 4001 });
  });

  it('scheme is case-insensitive and surrounding whitespace is ignored', () => {
    expect(parseTransportUrl('  TCP://10.0.0.5:4001 ')).toEqual({ kind: 'tcp', host: '10.0.0.5', port: 4001 });
    expect(transportUrlProblems('serial:///dev/ttyS0?baudRate=115200')).toEqual([]);
  });
});

describe('parseTransportUrl: each bad URL has its own message', () => {
  const cases: [string, string, RegExp][] = [
    ['empty', '', /empty transport URL/],
    ['no scheme', '/dev/ttyUSB0', /not a transport URL/],
    ['unknown scheme', 'udp://10.0.0.5:4001', /unknown scheme 'udp:'/],
    ['missing port', 'tcp://10.0.0.5', /missing port/],
    ['empty port', 'tcp://10.0.0.5:', /empty port after ':'/],
    ['port not a number', 'tcp://10.0.0.5:http', /port 'http' is not a number/],
    ['port out of range', 'tcp://10.0.0.5:70000', /port 70000 is out of range 1-65535/],
    ['port zero', 'tcp://10.0.0.5:0', /port 0 is out of range/],
    ['missing host', 'tcp://:4001', /missing host/],
    ['bad host', 'tcp://bad_host!:4001', /host 'bad_host!' is not a valid/],
    ['bad IPv6', 'tcp://[zz::1]:4001', /'zz::1' is not an IPv6 address/],
    ['path after port', 'tcp://10.0.0.5:4001/x', /unexpected path '\/x'/],
    ['user info', 'tcp://admin@10.0.0.5:4001', /user info/],
    ['bad connect timeout', 'tcp://10.0.0.5:4001?connectTimeoutMs=5', /connectTimeoutMs '5' must be/],
    ['empty path', 'serial://', /empty serial port path/],
    ['relative path', 'serial://dev/ttyUSB0', /not absolute: write serial:\/\/\/dev\/ttyUSB0/],
    ['bad baud rate', 'serial:///dev/ttyUSB0?baudRate=96000', /baudRate '96000' is not a standard baud rate/],
    ['non-numeric baud rate', 'serial:///dev/ttyUSB0?baudRate=fast', /baudRate 'fast'/],
    ['bad parity', 'serial:///dev/ttyUSB0?parity=mark', /parity 'mark' must be none, even or odd/],
    ['bad data bits', 'serial:///dev/ttyUSB0?dataBits=9', /dataBits '9' must be 5, 6, 7 or 8/],
    ['bad stop bits', 'serial:///dev/ttyUSB0?stopBits=1.5', /stopBits '1.5' must be 1 or 2/],
    ['unknown query key', 'serial:///dev/ttyUSB0?baud=9600', /unknown query key 'baud' \(allowed: baudRate/],
    ['serial key on tcp', 'tcp://10.0.0.5:4001?baudRate=9600', /unknown query key 'baudRate' \(allowed: connectTimeoutMs\)/],
    ['repeated key', 'serial:///dev/ttyUSB0?parity=none&parity=odd', /'parity' is given more than once/],
    ['key without value', 'serial:///dev/ttyUSB0?parity=', /'parity' has no value/],
    ['fragment', 'tcp://10.0.0.5:4001#x', /unexpected fragment/],
  ];

  it.each(cases)('%s: %s', (_name, url, expected) => {
    const problems = transportUrlProblems(url);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
    const { message, context } = parseError(url);
    expect(message).toMatch(expected);
    expect(context).toMatchObject({ url, problems });
  });

  it('the messages differ from each other', () => {
    const messages = cases.map(([, url]) => transportUrlProblems(url)[0]);
    expect(new Set(messages).size).toBe(messages.length);
  });

  it('reports every problem of a URL at once', () => {
    const problems = transportUrlProblems('serial:///dev/ttyUSB0?baudRate=1&parity=x&colour=red');
    expect(problems).toHaveLength(3);
    expect(parseError('serial:///dev/ttyUSB0?baudRate=1&parity=x&colour=red').message).toContain(problems.join('; '));
  });
});
