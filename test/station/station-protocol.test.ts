import { describe, expect, it } from 'vitest';
import { parseClientMessage, serverMessageSchema, alarmMessage } from '../../src/station/station-protocol.js';
import { alarm, alarmEvent } from './fixtures.js';

function errorOf(text: string): { code: string; message: string; requestId?: string } {
  const result = parseClientMessage(text);
  if (result.ok) throw new Error(`expected an error for ${text}`);
  return result.error;
}

describe('parseClientMessage', () => {
  it('accepts ping and get-snapshot, with or without requestId', () => {
    expect(parseClientMessage('{"v":1,"type":"ping"}')).toEqual({ ok: true, message: { v: 1, type: 'ping' } });
    expect(parseClientMessage('{"v":1,"type":"get-snapshot","requestId":"a"}')).toEqual({
      ok: true,
      message: { v: 1, type: 'get-snapshot', requestId: 'a' },
    });
  });

  it('reports text that is not JSON', () => {
    expect(errorOf('hello there')).toMatchObject({ code: 'MESSAGE_NOT_JSON', message: expect.stringContaining('not valid JSON') });
  });

  it('reports JSON that is not an object', () => {
    expect(errorOf('[1,2]').code).toBe('INVALID_MESSAGE');
    expect(errorOf('null').code).toBe('INVALID_MESSAGE');
  });

  it('reports a missing or unsupported version, echoing the requestId', () => {
    expect(errorOf('{"type":"ping"}')).toMatchObject({ code: 'UNSUPPORTED_VERSION', message: expect.stringContaining('v:') });
    expect(errorOf('{"v":2,"type":"ping","requestId":"q"}')).toMatchObject({ code: 'UNSUPPORTED_VERSION', requestId: 'q' });
  });

  it('names an unknown type', () => {
    const error = errorOf('{"v":1,"type":"set-rate"}');
    expect(error.code).toBe('UNKNOWN_TYPE');
    expect(error.message).toContain('"set-rate"');
  });

  it('does not treat inherited object keys as message types', () => {
    expect(errorOf('{"v":1,"type":"toString"}').code).toBe('UNKNOWN_TYPE');
    expect(errorOf('{"v":1,"type":"__proto__"}').code).toBe('UNKNOWN_TYPE');
  });

  it('names the field of the wrong type', () => {
    const error = errorOf('{"v":1,"type":"ping","requestId":42}');
    expect(error.code).toBe('INVALID_MESSAGE');
    expect(error.message).toMatch(/^requestId: /);
  });

  it('names an unexpected field', () => {
    const error = errorOf('{"v":1,"type":"ping","rate":5}');
    expect(error.code).toBe('INVALID_MESSAGE');
    expect(error.message).toContain('rate');
  });
});

describe('serverMessageSchema', () => {
  it('accepts an alarm message built from an AlarmEvent', () => {
    const message = alarmMessage(alarmEvent('start', alarm()));
    expect(serverMessageSchema.parse(message)).toEqual(message);
  });

  it('rejects a message of a wrong version or with a wrong field', () => {
    expect(serverMessageSchema.safeParse({ v: 2, type: 'pong', serverTime: 1 }).success).toBe(false);
    expect(serverMessageSchema.safeParse({ v: 1, type: 'pong', serverTime: '1' }).success).toBe(false);
  });
});
