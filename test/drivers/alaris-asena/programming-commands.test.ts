import { describe, expect, it } from 'vitest';
import {
  checkProgrammingReply, encodeProgrammingCommand, programmingCommandBody, remoteControlCode, type ProgrammingCommand,
} from '../../../drivers/alaris-asena/programming-commands.js';
import { isVigilError } from '../../../src/core/errors.js';

const wire = (c: ProgrammingCommand): string => encodeProgrammingCommand(c).toString('latin1');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('programming command encoders', () => {
  it('remote-control code is the CCITT-FALSE of the serial string', () => {
    expect(remoteControlCode('8002-51740')).toBe('3CC1');
  });

  it('encode to the frames published by an open-source client', () => {
    expect(wire({ kind: 'remote-enable', serial: '8002-51740' })).toBe('!REMOTE_CTRL^ENABLED^3CC1|B1F1\r');
    expect(wire({ kind: 'remote-disable' })).toBe('!REMOTE_CTRL^DISABLED|EF95\r');
    expect(wire({ kind: 'set-rate', rateMlPerHour: 3.5 })).toBe('!INF_RATE^3.50^ml/h|3885\r');
    expect(wire({ kind: 'set-rate', rateMlPerHour: 0.1 })).toBe('!INF_RATE^0.10^ml/h|D407\r');
    expect(wire({ kind: 'set-vtbi', vtbiMl: 11 })).toBe('!INF_VTBI^ACTIV^11.000^ml^STOP|4433\r');
    expect(wire({ kind: 'start' })).toBe('!INF_START|38F3\r');
    expect(wire({ kind: 'stop' })).toBe('!INF_STOP|CD57\r');
    expect(programmingCommandBody({ kind: 'vtbi-deactivate' })).toBe('INF_VTBI^DEACT');
  });

  it('accepts the rate limits themselves', () => {
    expect(programmingCommandBody({ kind: 'set-rate', rateMlPerHour: 1200 })).toBe('INF_RATE^1200.00^ml/h');
    expect(programmingCommandBody({ kind: 'set-rate', rateMlPerHour: 0.1 })).toBe('INF_RATE^0.10^ml/h');
  });

  it.each([0.09, 0, -1, 1200.01, 5000, Number.NaN, Number.POSITIVE_INFINITY])('refuses rate %d with PUMP_VALUE_INVALID', (rate) => {
    const err = thrown(() => encodeProgrammingCommand({ kind: 'set-rate', rateMlPerHour: rate }));
    expect(isVigilError(err, 'PUMP_VALUE_INVALID')).toBe(true);
  });

  it('refuses a rate that would be silently rounded on the wire', () => {
    expect(isVigilError(thrown(() => programmingCommandBody({ kind: 'set-rate', rateMlPerHour: 1.234 })), 'PUMP_VALUE_INVALID')).toBe(true);
  });

  it.each([0, 0.05, 1000.001, 2000, Number.NaN])('refuses VTBI %d', (v) => {
    expect(isVigilError(thrown(() => programmingCommandBody({ kind: 'set-vtbi', vtbiMl: v })), 'PUMP_VALUE_INVALID')).toBe(true);
  });

  it('refuses a remote-enable for a malformed serial', () => {
    expect(isVigilError(thrown(() => programmingCommandBody({ kind: 'remote-enable', serial: 'a^b' })), 'PUMP_VALUE_INVALID')).toBe(true);
  });
});

describe('checkProgrammingReply', () => {
  it('an exact echo is accepted', () => {
    expect(checkProgrammingReply({ kind: 'start' }, 'INF_START')).toEqual({ outcome: 'accepted' });
    expect(checkProgrammingReply({ kind: 'remote-enable', serial: '8002-51740' }, 'REMOTE_CTRL^ENABLED^3CC1')).toEqual({
      outcome: 'accepted',
    });
    expect(checkProgrammingReply({ kind: 'set-rate', rateMlPerHour: 3.5 }, 'INF_RATE^3.50^ml/h')).toEqual({ outcome: 'accepted' });
    expect(checkProgrammingReply({ kind: 'set-vtbi', vtbiMl: 11 }, 'INF_VTBI^ACTIV^11.000^ml^STOP')).toEqual({ outcome: 'accepted' });
  });

  it('ERROR^<reason> is a refusal', () => {
    expect(checkProgrammingReply({ kind: 'set-rate', rateMlPerHour: 5 }, 'ERROR^REMOTE_DISABLED')).toEqual({
      outcome: 'refused', reason: 'REMOTE_DISABLED',
    });
  });

  it('an echo with another rate is a mismatch, not an acceptance', () => {
    const r = checkProgrammingReply({ kind: 'set-rate', rateMlPerHour: 5 }, 'INF_RATE^5.50^ml/h');
    expect(r.outcome).toBe('mismatch');
  });

  it('an echo with another VTBI is a mismatch', () => {
    expect(checkProgrammingReply({ kind: 'set-vtbi', vtbiMl: 10 }, 'INF_VTBI^ACTIV^10.001^ml^STOP').outcome).toBe('mismatch');
  });

  it.each<[ProgrammingCommand, string]>([
    [{ kind: 'start' }, 'INF_STOP'],
    [{ kind: 'stop' }, 'INF^8002^-^HLD'],
    [{ kind: 'set-rate', rateMlPerHour: 5 }, 'INF_RATE^5.00^ml/min'],
    [{ kind: 'set-rate', rateMlPerHour: 5 }, 'INF_RATE^abc^ml/h'],
    [{ kind: 'remote-enable', serial: '8002-51740' }, 'REMOTE_CTRL^ENABLED^****^PERMIT^0^ms'],
    [{ kind: 'remote-disable' }, 'ERROR'],
  ])('anything else is unexpected: %j -> %s', (command, reply) => {
    expect(checkProgrammingReply(command, reply).outcome).toBe('unexpected');
  });
});
