import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ManualClock } from '../../../src/core/clock.js';
import { AsenaDeframer, encodeFrame, type DeframerOutput } from '../../../drivers/alaris-asena/frame-codec.js';
import { parseReadReply } from '../../../drivers/alaris-asena/messages.js';
import { AsenaPumpModel } from '../../../simulators/alaris-asena/pump-model.js';
import { AsenaProtocolHandler } from '../../../simulators/alaris-asena/protocol-handler.js';

const SERIAL = '8002-51740';
const GOOD_CODE = '3CC1'; // CRC-16/CCITT-FALSE of "8002-51740", published by an open-source client

function sim(rate = 5) {
  const clock = new ManualClock();
  const pump = new AsenaPumpModel({ clock, serial: SERIAL, rateMlPerHour: rate, nearEndSeconds: 0 });
  const handler = new AsenaProtocolHandler(pump);
  /** Sends one command body; returns the reply bodies (CRC-checked by the deframer). */
  const ask = (body: string): string[] => bodies(new AsenaDeframer().push(handler.handleBytes(encodeFrame(body))));
  const one = (body: string): string => {
    const replies = ask(body);
    expect(replies).toHaveLength(1);
    return replies[0] as string;
  };
  return { clock, pump, handler, ask, one };
}

const bodies = (outs: DeframerOutput[]): string[] => outs.flatMap((o) => (o.kind === 'frame' ? [o.body] : []));
const field = (body: string, i: number): string | undefined => body.split('^')[i];

describe('AsenaProtocolHandler: queries', () => {
  it('answers INST_SERIALNO', () => {
    expect(sim().one('INST_SERIALNO')).toBe(`INST_SERIALNO^${SERIAL}`);
  });

  it('answers INF with the documented 14 fields', () => {
    const { one, pump } = sim(5);
    pump.start();
    const body = one('INF');
    expect(body).toMatch(/^INF\^8002-51740\^-\^INF\^5\.00\^ml\/h\^\^0\.000\^ml\^\d+\.\d\d\^mmHg\^(\d\d:\d\d:\d\d|24\+)?\^EVENT\^\d+$/);
  });

  it('its replies are understood by the driver codec (conformance)', () => {
    const { one, pump } = sim(5);
    pump.setVtbi(4);
    pump.start();
    pump.inject('low-battery');
    expect(parseReadReply(one('INF'))).toMatchObject({
      ok: true, message: { kind: 'inf-status', serial: SERIAL, alarmCodes: ['AL_LWBAT'], modeCode: 'INF', rateMlPerHour: 5 },
    });
    expect(parseReadReply(one('INF_VTBI'))).toMatchObject({ ok: true, message: { vtbiMl: 4 } });
    expect(parseReadReply(one('INST_SERIALNO'))).toMatchObject({ ok: true, message: { serial: SERIAL } });
  });

  it('INF_VTBI reports the VTBI remaining, or empty when none', () => {
    const { one, pump, clock } = sim(60);
    expect(one('INF_VTBI')).toBe('INF_VTBI^DEACT^^^');
    pump.setVtbi(10);
    pump.start();
    clock.advance(5 * 60_000); // 5 mL at 60 mL/h
    expect(one('INF_VTBI')).toBe('INF_VTBI^ACTIV^5.000^ml^STOP');
  });

  it('answers a command arriving one byte at a time exactly once', () => {
    const { handler } = sim();
    const d = new AsenaDeframer();
    const replies: string[] = [];
    for (const b of encodeFrame('INF')) replies.push(...bodies(d.push(handler.handleBytes(Uint8Array.of(b)))));
    expect(replies).toHaveLength(1);
  });

  it('ignores a command with a bad CRC (no reply, not counted)', () => {
    const { handler } = sim();
    expect(handler.handleBytes(Buffer.from('!INF_START|0000\r', 'latin1'))).toHaveLength(0);
    expect(handler.writeCommandCount()).toBe(0);
  });

  it('never throws on random bytes', () => {
    const { handler } = sim();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      handler.handleBytes(bytes);
    }));
  });
});

describe('AsenaProtocolHandler: remote control', () => {
  it('refuses set commands until remote control is enabled', () => {
    const { one, pump } = sim(5);
    expect(one('INF_RATE^9.00^ml/h')).toBe('ERROR^REMOTE_DISABLED');
    expect(one('INF_START')).toBe('ERROR^REMOTE_DISABLED');
    expect(one('INF_VTBI^ACTIV^3.000^ml^STOP')).toBe('ERROR^REMOTE_DISABLED');
    expect(pump.snapshot()).toMatchObject({ rateMlPerHour: 5, running: false, vtbiRemainingMl: null });
  });

  it('refuses a wrong remote-control code and stays disabled', () => {
    const { one, handler } = sim();
    expect(one('REMOTE_CTRL^ENABLED^3CC2')).toBe('ERROR^REMOTE_CODE');
    expect(handler.remoteControlEnabled).toBe(false);
    expect(one('INF_RATE^9.00^ml/h')).toBe('ERROR^REMOTE_DISABLED');
  });

  it('with the right code, echoes set commands and applies them', () => {
    const { one, pump, clock } = sim(5);
    expect(one(`REMOTE_CTRL^ENABLED^${GOOD_CODE}`)).toBe(`REMOTE_CTRL^ENABLED^${GOOD_CODE}`);
    expect(one('INF_RATE^9.50^ml/h')).toBe('INF_RATE^9.50^ml/h');
    expect(one('INF_VTBI^ACTIV^3.000^ml^STOP')).toBe('INF_VTBI^ACTIV^3.000^ml^STOP');
    expect(one('INF_START')).toBe('INF_START');
    expect(field(one('INF'), 4)).toBe('9.50');
    clock.advance(60_000);
    expect(one('INF_STOP')).toBe('INF_STOP');
    expect(pump.snapshot().running).toBe(false);
    expect(one('INF_VTBI^DEACT')).toBe('INF_VTBI^DEACT');
    expect(pump.snapshot().vtbiRemainingMl).toBeNull();
  });

  it('refuses an out-of-range rate even with remote control', () => {
    const { one, pump } = sim(5);
    one(`REMOTE_CTRL^ENABLED^${GOOD_CODE}`);
    expect(one('INF_RATE^1500.00^ml/h')).toBe('ERROR^RATE_RANGE');
    expect(one('INF_RATE^0.05^ml/h')).toBe('ERROR^RATE_RANGE');
    expect(one('INF_RATE^5.00^ml/min')).toBe('ERROR^BAD_COMMAND');
    expect(pump.snapshot().rateMlPerHour).toBe(5);
  });

  it('REMOTE_CTRL^DISABLED and a lost link switch remote control off', () => {
    const { one, handler } = sim();
    one(`REMOTE_CTRL^ENABLED^${GOOD_CODE}`);
    expect(one('REMOTE_CTRL^DISABLED')).toBe('REMOTE_CTRL^DISABLED');
    expect(one('INF_START')).toBe('ERROR^REMOTE_DISABLED');
    one(`REMOTE_CTRL^ENABLED^${GOOD_CODE}`);
    handler.resetLink();
    expect(one('INF_START')).toBe('ERROR^REMOTE_DISABLED');
  });

  it('counts every write command received, refused or not, and unknown commands; reads are not writes', () => {
    const { ask, handler } = sim();
    for (const q of ['INF', 'INF_VTBI', 'INST_SERIALNO']) ask(q);
    expect(handler.writeCommandCount()).toBe(0);
    ask('INF_RATE^9.00^ml/h'); // refused
    ask(`REMOTE_CTRL^ENABLED^${GOOD_CODE}`);
    ask('INF_RATE^9.00^ml/h');
    ask('INF_START');
    ask('INF_STOP');
    ask('INF_VTBI^ACTIV^2.000^ml^STOP');
    ask('COMMS_PROTOCOL'); // unknown to the simulator: counted, answered with an error
    expect(handler.writeCommandCount()).toBe(7);
    expect(handler.commandCounts()).toMatchObject({
      INF: 1, INF_VTBI: 1, INST_SERIALNO: 1, INF_RATE: 2, REMOTE_CTRL_ENABLE: 1, INF_START: 1, INF_STOP: 1, INF_VTBI_SET: 1, OTHER: 1,
    });
    expect(ask('COMMS_PROTOCOL')).toEqual(['ERROR^UNKNOWN_COMMAND']);
  });
});

describe('AsenaProtocolHandler: faults', () => {
  it('silence: no reply bytes at all', () => {
    const { handler } = sim();
    handler.inject('silence');
    expect(handler.handleBytes(encodeFrame('INF'))).toHaveLength(0);
    handler.clear('silence');
    expect(handler.handleBytes(encodeFrame('INF')).length).toBeGreaterThan(0);
  });

  it('corrupt replies: every reply fails its CRC', () => {
    const { handler } = sim();
    handler.inject('corrupt-replies');
    const outs = new AsenaDeframer().push(handler.handleBytes(Buffer.concat([encodeFrame('INF'), encodeFrame('INST_SERIALNO')])));
    expect(outs.map((o) => (o.kind === 'rejected' ? o.rejection.reason : o.kind))).toEqual(['crc-mismatch', 'crc-mismatch']);
  });

  it('wrong rate: accepts and echoes the command but runs rate x 1.1', () => {
    const { one, handler } = sim(5);
    handler.inject('wrong-rate');
    one(`REMOTE_CTRL^ENABLED^${GOOD_CODE}`);
    expect(one('INF_RATE^10.00^ml/h')).toBe('INF_RATE^10.00^ml/h');
    expect(field(one('INF'), 4)).toBe('11.00');
  });

  it.each([
    ['occlusion', 'AL_OCCLU'],
    ['air-in-line', 'AL_AIRIL'],
    ['door-open', 'AL_SYRDR'],
  ] as const)('%s: INF shows %s and the pump on hold', (fault, code) => {
    const { one, pump, handler } = sim();
    pump.start();
    handler.inject(fault);
    const body = one('INF');
    expect(field(body, 2)).toBe(code);
    expect(field(body, 3)).toBe('HLD');
    handler.clear(fault);
    expect(field(one('INF'), 2)).toBe('-');
  });

  it('low battery: INF shows AL_LWBAT while still infusing', () => {
    const { one, pump, handler } = sim();
    pump.start();
    handler.inject('low-battery');
    const body = one('INF');
    expect([field(body, 2), field(body, 3)]).toEqual(['AL_LWBAT', 'INF']);
  });

  it('VTBI reached: INF shows AL_VTBIC, on hold', () => {
    const { one, pump, clock } = sim(60);
    pump.setVtbi(1);
    pump.start();
    clock.advance(2 * 60_000);
    const body = one('INF');
    expect([field(body, 2), field(body, 3), field(body, 7)]).toEqual(['AL_VTBIC', 'HLD', '1.000']);
  });

  it('a keypad change at the pump shows in the next INF and is not a received command', () => {
    const { one, pump, handler } = sim(5);
    pump.start();
    pump.setRateAtPump(12);
    expect(field(one('INF'), 4)).toBe('12.00');
    pump.stopAtPump();
    expect(field(one('INF'), 3)).toBe('HLD');
    expect(handler.writeCommandCount()).toBe(0);
  });
});
