import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  encodeQuery, NE1000_QUERIES, parseDispensedBody, parseNe1000Float, parseRateBody, parseReply, parseSafeTimeoutBody,
  parseVersionBody, queryData, replyAnswers,
} from '../../../drivers/ne1000/messages.js';

describe('NE-1000 queries', () => {
  it('builds `<address><command>` with no parameter, and the bare address for a status query', () => {
    expect(NE1000_QUERIES.map((q) => queryData(0, q))).toEqual(['0', '0VER', '0SAF', '0DIA', '0RAT', '0DIS']);
    expect(queryData(12, 'DIS')).toBe('12DIS');
    expect(encodeQuery(0, 'SAF')).toEqual(Buffer.from('0208305341463d8803', 'hex'));
  });

  it('never builds a set command: no query of any address ends in a parameter', () => {
    // `SAF0` would switch the pump out of safe mode; `0SAF` is the query. A digit after the
    // command letters would be a parameter.
    for (let address = 0; address <= 99; address++) {
      for (const q of NE1000_QUERIES) {
        const data = queryData(address, q);
        expect(data).toMatch(q === 'STATUS' ? /^\d{1,2}$/ : /^\d{1,2}[A-Z]{3}$/);
      }
    }
  });
});

describe('parseReply', () => {
  it('reads address, prompt and body', () => {
    expect(parseReply('00S5.000MH')).toEqual({
      ok: true, value: { address: 0, status: { kind: 'prompt', prompt: 'S' }, body: '5.000MH' },
    });
    expect(parseReply('07I')).toMatchObject({ ok: true, value: { address: 7, status: { kind: 'prompt', prompt: 'I' }, body: '' } });
  });

  it.each(['I', 'W', 'S', 'P', 'T', 'U', 'X'])('knows the prompt %s', (prompt) => {
    expect(parseReply(`00${prompt}`)).toMatchObject({ ok: true, value: { status: { kind: 'prompt', prompt } } });
  });

  it.each(['R', 'S', 'T', 'E', 'O', 'Z'])('reads the alarm A?%s (an unknown letter is kept, not guessed)', (alarm) => {
    expect(parseReply(`00A?${alarm}`)).toMatchObject({ ok: true, value: { status: { kind: 'alarm', alarm }, body: '' } });
  });

  it('an unknown status letter is reported as unknown, with its letter', () => {
    expect(parseReply('00Q12.5MH')).toMatchObject({ ok: true, value: { status: { kind: 'unknown', raw: 'Q' } } });
    expect(parseReply('00AXY')).toMatchObject({ ok: true, value: { status: { kind: 'unknown', raw: 'AXY' } } });
  });

  it.each([
    ['00S?', 'UNRECOGNIZED'],
    ['00S?NA', 'NA'],
    ['00I?OOR', 'OOR'],
    ['00S?COM', 'COM'],
    ['00S?IGN', 'IGN'],
  ])('reads the error in %s', (data, error) => {
    expect(parseReply(data)).toMatchObject({ ok: true, value: { error } });
  });

  it('keeps an unknown error text', () => {
    expect(parseReply('00S?XYZ')).toMatchObject({ ok: true, value: { error: { unknown: 'XYZ' } } });
  });

  it.each(['', '0', 'S5.0MH', '00', 'AB'])('rejects %j', (data) => {
    expect(parseReply(data).ok).toBe(false);
  });

  it('never throws on any printable data', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => {
      parseReply(s);
    }));
  });
});

describe('reply bodies', () => {
  it.each([
    ['5.000MH', 5],
    ['12.50MM', 750],
    ['100.0UM', 6],
    ['250.0UH', 0.25],
    ['.5MH', 0.5],
    ['1200MH', 1200],
  ])('rate %s is %d mL/h', (body, mlPerHour) => {
    expect(parseRateBody(body)).toMatchObject({ ok: true, value: { rateMlPerHour: mlPerHour } });
  });

  it.each(['5.000', '5.000ML', '5.000mh', '12345MH', '1.2345MH', '-1MH', 'MH', '1.2.3MH'])('rejects the rate %j', (body) => {
    expect(parseRateBody(body).ok).toBe(false);
  });

  it('reads the volume dispensed in mL or uL', () => {
    expect(parseDispensedBody('I1.250W0.000ML')).toEqual({ ok: true, value: { infusedMl: 1.25, withdrawnMl: 0 } });
    expect(parseDispensedBody('I250.0W12.00UL')).toEqual({ ok: true, value: { infusedMl: 0.25, withdrawnMl: 0.012 } });
    for (const bad of ['1.250ML', 'I1.250ML', 'I1.250W0.000', 'I1.250W0.000MH', 'W1I2ML']) expect(parseDispensedBody(bad).ok).toBe(false);
  });

  it('reads the safe-mode timeout as whole seconds 0-255', () => {
    expect(parseSafeTimeoutBody('10')).toEqual({ ok: true, value: 10 });
    expect(parseSafeTimeoutBody('0')).toEqual({ ok: true, value: 0 });
    for (const bad of ['256', '1.5', '', '10S', '-1']) expect(parseSafeTimeoutBody(bad).ok).toBe(false);
  });

  it('reads the version', () => {
    expect(parseVersionBody('NE1000V3.928')).toEqual({ ok: true, value: { model: 'NE-1000', firmware: '3.928' } });
    expect(parseVersionBody('V3.928').ok).toBe(false);
  });

  it('floats follow the manual: at most 4 digits, at most 3 after the point', () => {
    expect(['0.001', '26.59', '1200', '.5', '5.'].map(parseNe1000Float)).toEqual([0.001, 26.59, 1200, 0.5, 5]);
    expect(['12345', '1.2345', '', '.', '1e3', '0x10'].map(parseNe1000Float)).toEqual([null, null, null, null, null, null]);
  });
});

describe('replyAnswers', () => {
  const reply = (data: string) => {
    const r = parseReply(data);
    if (!r.ok) throw new Error(r.reason);
    return r.value;
  };

  it('matches a body to the query it answers, and only that one', () => {
    expect(replyAnswers('RAT', 0, reply('00S5.000MH'))).toBe(true);
    expect(replyAnswers('DIS', 0, reply('00S5.000MH'))).toBe(false);
    expect(replyAnswers('DIS', 0, reply('00SI1.250W0.000ML'))).toBe(true);
    expect(replyAnswers('STATUS', 0, reply('00I'))).toBe(true);
    expect(replyAnswers('VER', 0, reply('00SNE1000V3.928'))).toBe(true);
    expect(replyAnswers('RAT', 0, reply('00S'))).toBe(false);
  });

  it('an alarm or an error answers any query (the pump reports its alarm instead of data)', () => {
    expect(replyAnswers('RAT', 0, reply('00A?T'))).toBe(true);
    expect(replyAnswers('DIS', 0, reply('00S?COM'))).toBe(true);
  });

  it('a reply from another address answers nothing', () => {
    expect(replyAnswers('RAT', 0, reply('01S5.000MH'))).toBe(false);
    expect(replyAnswers('RAT', 0, reply('01A?T'))).toBe(false);
  });
});
