import { describe, expect, it } from 'vitest';
import { parseRadicalLine, type RadicalRecord } from '../../../drivers/masimo-ascii/radical-line-parser.js';
import { timestampToEpochMs } from '../../../drivers/masimo-ascii/radical-timestamp.js';
import { LINES } from '../../fixtures/masimo/radical-lines.js';

function parsed(line: string): RadicalRecord {
  const result = parseRadicalLine(line);
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.reason}`);
  return result.record;
}

describe('parseRadicalLine: device line variants', () => {
  it('reads a full Radical-7 line, unavailable values as null', () => {
    const r = parsed(LINES.radical7);
    expect(r.timestamp).toEqual({ year: 2026, month: 5, day: 14, hour: 13, minute: 45, second: 1 });
    expect(r.serial).toBe('0000012345');
    expect(r.values).toEqual({
      SPO2: 98, BPM: 72, PI: 3.45, SPCO: null, SPMET: null, DESAT: null, PIDELTA: null, PVI: null,
    });
    expect(r.alarmBits).toBe(0);
    expect(r.exceptionBits).toBe(0);
    expect(r.unknownFields).toEqual([]);
    expect(r.skippedPrefixChars).toBe(0);
  });

  it('reads every Radical-7 value when present, including a signed PIDELTA', () => {
    const r = parsed(LINES.radical7AllValues);
    expect(r.values).toEqual({ SPO2: 97, BPM: 121, PI: 20, SPCO: 1, SPMET: 0.5, DESAT: 1, PIDELTA: -2, PVI: 27 });
  });

  it('reads a short Radical-5 line: no SN, SPCO or PVI keys at all, short hex fields', () => {
    const r = parsed(LINES.radical5);
    expect(r.values).toEqual({ SPO2: 97, BPM: 64, PI: 11.82 });
    expect('serial' in r).toBe(false);
    expect(r.alarmBits).toBe(0x20);
    expect(r.exceptionBits).toBe(0);
  });

  it('reads a Rad-8 line without PVI', () => {
    const r = parsed(LINES.rad8);
    expect(r.serial).toBe('RAD8-77');
    expect(r.values.PVI).toBeUndefined();
    expect(r.values.PI).toBe(0.41);
    expect(r.exceptionBits).toBe(0x4);
  });

  it('reads ALARM and EXC as hexadecimal', () => {
    const r = parsed('05/14/26 13:45:01 SPO2=090% ALARM=3A12 EXC=04Ff20');
    expect(r.alarmBits).toBe(0x3a12);
    expect(r.exceptionBits).toBe(0x04ff20);
  });

  it('does not depend on field order and tolerates extra spaces', () => {
    const r = parsed('05/14/26 13:45:01   EXC=000001  BPM=060 SPO2=099%  ');
    expect(r.values).toEqual({ BPM: 60, SPO2: 99 });
    expect(r.exceptionBits).toBe(1);
  });

  it('keeps unknown fields in a list instead of failing', () => {
    const r = parsed('05/14/26 13:45:01 SPO2=098% SPHB=13.1 X9=abc BPM=070');
    expect(r.unknownFields).toEqual([{ key: 'SPHB', value: '13.1' }, { key: 'X9', value: 'abc' }]);
    expect(r.values).toEqual({ SPO2: 98, BPM: 70 });
  });

  it('treats a value whose second character is - as unavailable, never 0', () => {
    const r = parsed('05/14/26 13:45:01 SN=---------- SPO2=--- BPM=--- PI=--.--% PIDELTA=+-- ALARM=---- EXC=------');
    expect(r.values).toEqual({ SPO2: null, BPM: null, PI: null, PIDELTA: null });
    expect(r.serial).toBeNull();
    expect(r.alarmBits).toBeNull();
    expect(r.exceptionBits).toBeNull();
  });

  it('skips noise before the timestamp and says how much', () => {
    const r = parsed(`\u00ff\u0000xx${LINES.radical5}`);
    expect(r.skippedPrefixChars).toBe(4);
    expect(r.values.SPO2).toBe(97);
  });

  it('takes the later record when a lost line end glued two lines together', () => {
    const glued = `${LINES.radical7.slice(0, 60)}${LINES.radical5}`;
    const r = parsed(glued);
    expect(r.timestamp.second).toBe(29);
    expect(r.values).toEqual({ SPO2: 97, BPM: 64, PI: 11.82 });
  });

  it('converts the timestamp in the configured zone', () => {
    const ts = parsed(LINES.radical7).timestamp;
    expect(timestampToEpochMs(ts, 'utc')).toBe(Date.UTC(2026, 4, 14, 13, 45, 1));
    expect(timestampToEpochMs(ts, 'local')).toBe(new Date(2026, 4, 14, 13, 45, 1).getTime());
  });
});

describe('parseRadicalLine: rejections', () => {
  const cases: [string, string, string][] = [
    ['empty line', '', 'NO_TIMESTAMP'],
    ['no timestamp', 'SN=0000012345 SPO2=098% BPM=072', 'NO_TIMESTAMP'],
    ['truncated timestamp', '05/14/26 13:45 SPO2=098%', 'NO_TIMESTAMP'],
    ['month 13', '13/14/26 13:45:01 SPO2=098%', 'BAD_TIMESTAMP'],
    ['31 April', '04/31/26 13:45:01 SPO2=098%', 'BAD_TIMESTAMP'],
    ['hour 24', '05/14/26 24:00:01 SPO2=098%', 'BAD_TIMESTAMP'],
    ['timestamp only', '05/14/26 13:45:01', 'NO_KNOWN_FIELD'],
    ['only unknown fields', '05/14/26 13:45:01 FOO=1 BAR=2', 'NO_KNOWN_FIELD'],
    ['token without =', '05/14/26 13:45:01 SPO2=098% BPM 072', 'MALFORMED_FIELD'],
    ['empty value', '05/14/26 13:45:01 SPO2= BPM=072', 'MALFORMED_FIELD'],
    ['lower-case key', '05/14/26 13:45:01 spo2=098%', 'MALFORMED_FIELD'],
    ['non-ASCII byte in a value', '05/14/26 13:45:01 SPO2=0\u00e98%', 'NON_PRINTABLE'],
    ['control byte', '05/14/26 13:45:01 SPO2=098%\u0007', 'NON_PRINTABLE'],
    ['SpO2 above 100', '05/14/26 13:45:01 SPO2=101%', 'BAD_VALUE'],
    ['letters in BPM', '05/14/26 13:45:01 BPM=07x', 'BAD_VALUE'],
    ['percent sign on BPM', '05/14/26 13:45:01 BPM=072%', 'BAD_VALUE'],
    ['garbled unavailable', '05/14/26 13:45:01 SPO2=0-8%', 'BAD_VALUE'],
    ['non-hex ALARM', '05/14/26 13:45:01 SPO2=098% ALARM=00G0', 'BAD_VALUE'],
    ['too many hex digits', '05/14/26 13:45:01 SPO2=098% EXC=123456789', 'BAD_VALUE'],
    ['duplicate known key', '05/14/26 13:45:01 SPO2=098% SPO2=097%', 'DUPLICATE_FIELD'],
  ];
  it.each(cases)('rejects %s', (_name, line, code) => {
    const result = parseRadicalLine(line);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe(code);
      expect(result.reason.length).toBeGreaterThan(0);
    }
  });
});
