import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  encodeErrorReply, encodeInfStatus, encodeInfVtbi, encodeQuery, encodeSerialNumber, parseInfStatus, parseInfVtbi,
  parseReadReply, parseSerialNumber, replyAnswers, type InfStatusReply,
} from '../../../drivers/alaris-asena/messages.js';
import { alarmConditions, interpretMode } from '../../../drivers/alaris-asena/pump-codes.js';

// INF reply fields: 0 echo ^ 1 serial ^ 2 alarm ^ 3 mode ^ 4 rate ^ 5 unit ^ 6 unknown ^ 7 volume ^ 8 unit
//                   ^ 9 pressure ^ 10 unit ^ 11 time remaining ^ 12 log type ^ 13 log entry id
const RECORDED_STYLE = 'INF^8002-51733^A^HLD^0.00^ml/h^^0.969^ml^530.15^mmHg^00:04:09^EVENT^214725';
const RUNNING = 'INF^8002-51740^-^INF^3.50^ml/h^^1.234^ml^17.91^mmHg^24+^EVENT^127904';

function withField(body: string, index: number, value: string): string {
  const f = body.split('^');
  f[index] = value;
  return f.join('^');
}

describe('queries', () => {
  it('encode to the published frames', () => {
    expect(encodeQuery('INF').toString('latin1')).toBe('!INF|4961\r');
    expect(encodeQuery('INF_VTBI').toString('latin1')).toBe('!INF_VTBI|8456\r');
    expect(encodeQuery('INST_SERIALNO').toString('latin1')).toBe('!INST_SERIALNO|457D\r');
  });
});

describe('INF status reply', () => {
  it('parses every field of a recorded-style reply', () => {
    const r = parseInfStatus(RECORDED_STYLE);
    expect(r).toEqual({
      ok: true,
      message: {
        kind: 'inf-status', serial: '8002-51733', alarmCodes: ['A'], modeCode: 'HLD', rateMlPerHour: 0, field6: '',
        volumeInfusedMl: 0.969, pressureMmHg: 530.15, timeRemaining: { kind: 'seconds', seconds: 249 },
        logType: 'EVENT', logEntryId: '214725',
      },
    });
  });

  it('"-" means no alarm, "24+" means over 24 h', () => {
    const r = parseInfStatus(RUNNING);
    expect(r.ok && r.message.alarmCodes).toEqual([]);
    expect(r.ok && r.message.timeRemaining).toEqual({ kind: 'over-24h' });
    expect(r.ok && r.message.rateMlPerHour).toBe(3.5);
  });

  it('splits several alarm codes on ","', () => {
    const r = parseInfStatus(withField(RUNNING, 2, 'AL_OCCLU,AL_LWBAT'));
    expect(r.ok && r.message.alarmCodes).toEqual(['AL_OCCLU', 'AL_LWBAT']);
  });

  it('empty pressure and time remaining are "no value"', () => {
    const r = parseInfStatus(withField(withField(withField(RUNNING, 9, ''), 10, ''), 11, ''));
    expect(r.ok && r.message.pressureMmHg).toBeNull();
    expect(r.ok && r.message.timeRemaining).toEqual({ kind: 'none' });
  });

  it('keeps the unknown field 6 raw without interpreting it', () => {
    const r = parseInfStatus(withField(RUNNING, 6, 'KETAMINE'));
    expect(r.ok && r.message.field6).toBe('KETAMINE');
  });

  it.each([
    ['13 fields', RUNNING.split('^').slice(0, 13).join('^')],
    ['15 fields', `${RUNNING}^X`],
    ['rate not a number', withField(RUNNING, 4, '3,50')],
    ['negative rate', withField(RUNNING, 4, '-1.00')],
    ['rate above 1200 mL/h', withField(RUNNING, 4, '1500.00')],
    ['rate unit ml/min', withField(RUNNING, 5, 'ml/min')],
    ['volume not a number', withField(RUNNING, 7, 'x')],
    ['volume unit l', withField(RUNNING, 8, 'l')],
    ['pressure unit kPa', withField(RUNNING, 10, 'kPa')],
    ['time 4:09', withField(RUNNING, 11, '4:09')],
    ['time 00:61:00', withField(RUNNING, 11, '00:61:00')],
    ['empty alarm field', withField(RUNNING, 2, '')],
    ['empty mode field', withField(RUNNING, 3, '')],
    ['serial with a space', withField(RUNNING, 1, '8002 51740')],
    ['another command', withField(RUNNING, 0, 'INFX')],
  ])('rejects a reply with %s', (_what, body) => {
    const r = parseInfStatus(body);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason.length).toBeGreaterThan(0);
  });

  it('encode then parse gives the same message', () => {
    const reply = fc.record({
      serial: fc.stringMatching(/^[A-Za-z0-9-]{1,16}$/),
      alarmCodes: fc.array(fc.constantFrom('AL_OCCLU', 'AL_NEOIN', 'AL_LWBAT', 'A'), { maxLength: 3 }),
      modeCode: fc.constantFrom('INF', 'HLD', 'KVO', 'SET'),
      rateMlPerHour: fc.integer({ min: 0, max: 120_000 }).map((c) => c / 100),
      field6: fc.constant(''),
      volumeInfusedMl: fc.integer({ min: 0, max: 9_999_999 }).map((m) => m / 1000),
      pressureMmHg: fc.option(fc.integer({ min: 0, max: 100_000 }).map((c) => c / 100)),
      timeRemaining: fc.oneof(
        fc.constant({ kind: 'none' as const }),
        fc.constant({ kind: 'over-24h' as const }),
        fc.integer({ min: 0, max: 86_399 }).map((seconds) => ({ kind: 'seconds' as const, seconds })),
      ),
      logType: fc.constant('EVENT'),
      logEntryId: fc.integer({ min: 0, max: 999_999 }).map(String),
    });
    fc.assert(
      fc.property(reply, (r) => {
        expect(parseInfStatus(encodeInfStatus(r))).toEqual({ ok: true, message: { kind: 'inf-status', ...r } as InfStatusReply });
      }),
    );
  });
});

describe('INF_VTBI reply', () => {
  it('parses an active VTBI', () => {
    expect(parseInfVtbi('INF_VTBI^ACTIV^11.000^ml^STOP')).toEqual({
      ok: true, message: { kind: 'inf-vtbi', state: 'ACTIV', vtbiMl: 11 },
    });
  });
  it('empty field 2 means no VTBI', () => {
    expect(parseInfVtbi('INF_VTBI^DEACT^^^')).toEqual({ ok: true, message: { kind: 'inf-vtbi', state: 'DEACT', vtbiMl: null } });
  });
  it.each(['INF_VTBI^ACTIV^1,5^ml^STOP', 'INF_VTBI^ACTIV^11.000^l^STOP', 'INF_VTBI^ACTIV', 'INF_VTBI'])('rejects %s', (b) => {
    expect(parseInfVtbi(b).ok).toBe(false);
  });
  it('encodes and parses back', () => {
    expect(parseInfVtbi(encodeInfVtbi(7.25))).toMatchObject({ ok: true, message: { vtbiMl: 7.25 } });
    expect(parseInfVtbi(encodeInfVtbi(null))).toMatchObject({ ok: true, message: { vtbiMl: null } });
  });
});

describe('INST_SERIALNO reply', () => {
  it('parses the published reply', () => {
    expect(parseSerialNumber('INST_SERIALNO^8002-51740')).toEqual({ ok: true, message: { kind: 'serial-number', serial: '8002-51740' } });
    expect(parseSerialNumber(encodeSerialNumber('ABC123'))).toMatchObject({ ok: true, message: { serial: 'ABC123' } });
  });
  it.each(['INST_SERIALNO^', 'INST_SERIALNO^a^b', 'INST_SERIALNO', 'INST_SERIALNO^has space'])('rejects %j', (b) => {
    expect(parseSerialNumber(b).ok).toBe(false);
  });
});

describe('parseReadReply', () => {
  it('dispatches on the echo field and parses ERROR refusals', () => {
    expect(parseReadReply(RUNNING)).toMatchObject({ ok: true, message: { kind: 'inf-status' } });
    expect(parseReadReply('INF_VTBI^DEACT^^^')).toMatchObject({ ok: true, message: { kind: 'inf-vtbi' } });
    expect(parseReadReply('INST_SERIALNO^X1')).toMatchObject({ ok: true, message: { kind: 'serial-number' } });
    expect(parseReadReply(encodeErrorReply('REMOTE_DISABLED'))).toEqual({ ok: true, message: { kind: 'error', reason: 'REMOTE_DISABLED' } });
  });
  it('rejects replies it does not know and an ERROR without reason', () => {
    expect(parseReadReply('COMMS_PROTOCOL^Asena Rev 2.1.5').ok).toBe(false);
    expect(parseReadReply('ERROR').ok).toBe(false);
  });
  it('never throws on any string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), fc.constantFrom('INF^', 'INF_VTBI^', 'INST_SERIALNO^', 'ERROR^', ''), (s, prefix) => {
        parseReadReply(prefix + s);
      }),
    );
  });
  it('replyAnswers matches a reply to its query, and an ERROR to any query', () => {
    const inf = parseReadReply(RUNNING);
    const err = parseReadReply('ERROR^X');
    if (!inf.ok || !err.ok) throw new Error('fixture');
    expect(replyAnswers('INF', inf.message)).toBe(true);
    expect(replyAnswers('INF_VTBI', inf.message)).toBe(false);
    expect(replyAnswers('INST_SERIALNO', err.message)).toBe(true);
  });
});

describe('pump codes (assumed values)', () => {
  it('maps known alarm codes to Vigil conditions', () => {
    expect(alarmConditions(['AL_OCCLU', 'AL_AIRIL', 'AL_VTBIC', 'AL_NEOIN', 'AL_SYRDR', 'AL_LWBAT']).map((c) => c.code)).toEqual([
      'OCCLUSION', 'AIR_IN_LINE', 'INFUSION_COMPLETE', 'NEAR_END', 'SYRINGE_OR_DOOR', 'LOW_BATTERY',
    ]);
  });
  it('turns an unknown code into a technical condition naming it, never a guess', () => {
    expect(alarmConditions(['A'])).toEqual([{ code: 'PUMP_ALARM_UNKNOWN_A', label: expect.stringContaining('"A"') }]);
    expect(alarmConditions(['constructor'])[0]?.code).toBe('PUMP_ALARM_UNKNOWN_CONSTRUCTOR');
    expect(alarmConditions(['AL x/1'])[0]?.code).toBe('PUMP_ALARM_UNKNOWN_AL_X_1');
    expect(alarmConditions([''])[0]?.code).toBe('PUMP_ALARM_UNKNOWN_EMPTY');
  });
  it('interprets modes; an unknown mode is "unknown" with a condition', () => {
    expect(interpretMode('INF')).toEqual({ run: 'running', condition: null });
    expect(interpretMode('HLD')).toEqual({ run: 'stopped', condition: null });
    expect(interpretMode('SET')).toMatchObject({ run: 'unknown', condition: { code: 'PUMP_MODE_UNKNOWN_SET' } });
    expect(interpretMode('toString').run).toBe('unknown');
  });
});
