import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { RadicalSimulator } from '../../simulators/masimo-radical/radical-simulator.js';
import { formatRadicalLine, type RadicalModel } from '../../simulators/masimo-radical/radical-line.js';
import { FixedVitals, parseReferenceLine, RecordingOutput } from './helpers.js';

const T0 = Date.UTC(2026, 4, 14, 13, 45, 1);

function device(model: RadicalModel, patient = new FixedVitals(), clock = new ManualClock(T0)) {
  const out = new RecordingOutput();
  const sim = new RadicalSimulator({
    model, serialNumber: '12345', patient, clock, logger: silentLogger(), seed: 1, utc: true,
  });
  sim.attach(out);
  return { sim, out, clock, patient };
}

describe('Masimo Radical ASCII line format', () => {
  it('radical-7 writes every field in order, zero-padded, CR LF', () => {
    const { sim, out } = device('radical-7');
    sim.tick();
    expect(out.text()).toBe(
      '05/14/26 13:45:01 SN=0000012345 SPO2=098% BPM=072 PI=03.45% SPCO=--.-% SPMET=--.-% DESAT=-- PIDELTA=+-- PVI=--- ALARM=0000 EXC=000000\r\n',
    );
    const f = parseReferenceLine('radical-7', out.text());
    expect(f).toMatchObject({ ts: '05/14/26 13:45:01', SN: '0000012345', SPO2: '098', BPM: '072', PI: '03.45' });
  });

  it('rad-8 is radical-7 without PVI', () => {
    const { sim, out } = device('rad-8');
    sim.tick();
    const f = parseReferenceLine('rad-8', out.text());
    expect(f).toMatchObject({ SPO2: '098', BPM: '072', PI: '03.45', ALARM: '0000', EXC: '000000' });
    expect(out.text()).not.toContain('PVI=');
  });

  it('radical-5 has only timestamp, SPO2, BPM, PI, ALARM, EXC', () => {
    const { sim, out } = device('radical-5');
    sim.tick();
    expect(out.text()).toBe('05/14/26 13:45:01 SPO2=098% BPM=072 PI=03.45% ALARM=0000 EXC=000000\r\n');
    parseReferenceLine('radical-5', out.text());
  });

  it.each(['radical-7', 'rad-8', 'radical-5'] as const)('%s: values unavailable during sensor-off, EXC 0x20', (model) => {
    const { sim, out } = device(model);
    sim.handle({ type: 'sensor-off' });
    sim.tick();
    const f = parseReferenceLine(model, out.text());
    expect([f.SPO2, f.BPM, f.PI]).toEqual(['---', '---', '--.--']);
    for (const v of [f.SPO2, f.BPM, f.PI]) expect(v?.[1]).toBe('-');
    expect(f.EXC).toBe('000020');
  });

  it('sensor-off with seconds ends by itself; resume ends it at once', () => {
    const { sim, out, clock } = device('radical-7');
    sim.handle({ type: 'sensor-off', seconds: 3 });
    clock.advance(2000);
    sim.tick();
    clock.advance(1000);
    sim.tick();
    sim.handle({ type: 'sensor-off' });
    sim.tick();
    sim.handle({ type: 'resume' });
    sim.tick();
    expect(out.lines().map((l) => parseReferenceLine('radical-7', `${l}\r\n`).SPO2)).toEqual(['---', '098', '---', '098']);
  });

  it('sets its own ALARM bits from its built-in limits', () => {
    const patient = new FixedVitals({ spo2: 85, pulseRate: 72, perfusionIndex: 3 });
    const { sim, out } = device('radical-7', patient);
    sim.tick();
    patient.vitals = { spo2: 96, pulseRate: 150, perfusionIndex: 3 };
    sim.tick();
    patient.vitals = { spo2: 88, pulseRate: 40, perfusionIndex: 3 };
    sim.tick();
    patient.vitals = { spo2: 90, pulseRate: 140, perfusionIndex: 3 }; // at the limits: no alarm
    sim.tick();
    const alarms = out.lines().map((l) => parseInt(parseReferenceLine('radical-7', `${l}\r\n`).ALARM as string, 16));
    expect(alarms).toEqual([0x2 | 0x10, 0x4 | 0x10, 0x2 | 0x8 | 0x10, 0]);
  });

  it('flags low perfusion in EXC (0x4) and rounds values as the device shows them', () => {
    const { sim, out } = device('radical-7', new FixedVitals({ spo2: 97.6, pulseRate: 71.4, perfusionIndex: 0.3 }));
    sim.tick();
    const f = parseReferenceLine('radical-7', out.text());
    expect(f).toMatchObject({ SPO2: '098', BPM: '071', PI: '00.30', EXC: '000004' });
  });

  it('formats available optional values with the device padding', () => {
    const line = formatRadicalLine('radical-7', {
      deviceTimeMs: T0, serialNumber: '0000012345', spo2: 100, pulseRate: 130, perfusionIndex: 12.5,
      spco: 1.5, spmet: 0.8, desat: 3, piDelta: -4, pvi: 14, alarm: 0x2012, exception: 0x40000,
    }, { utc: true });
    const f = parseReferenceLine('radical-7', line);
    expect(f).toMatchObject({
      SPO2: '100', BPM: '130', PI: '12.50', SPCO: '01.5', SPMET: '00.8', DESAT: '03', PIDELTA: '-04', PVI: '014',
      ALARM: '2012', EXC: '040000',
    });
  });

  it('writes nothing while silent, and garbage as one garbled line of random bytes', () => {
    const { sim, out, clock } = device('radical-7');
    sim.handle({ type: 'silence', seconds: 2 });
    sim.tick();
    sim.handle({ type: 'garbage', bytes: 10 });
    expect(out.chunks).toHaveLength(0);
    clock.advance(2000);
    sim.handle({ type: 'garbage', bytes: 25 });
    sim.tick();
    expect(out.chunks.map((c) => c.length)).toEqual([27, out.chunks[1]?.length]);
    expect(out.chunks[0]?.subarray(25).toString('latin1')).toBe('\r\n');
    parseReferenceLine('radical-7', out.chunks[1]?.toString('latin1') ?? '');
  });

  it('disconnect takes the link down until resume or its time is over', () => {
    const { sim, out, clock } = device('radical-7');
    sim.handle({ type: 'disconnect', seconds: 5 });
    expect(out.connected).toBe(false);
    clock.advance(5000);
    sim.tick();
    expect(out.connected).toBe(true);
    sim.handle({ type: 'disconnect' });
    clock.advance(60_000);
    sim.tick();
    expect([out.connected, sim.mode().mode]).toEqual([false, 'disconnected']);
    sim.handle({ type: 'resume' });
    expect(out.connected).toBe(true);
    expect(out.lines()).toHaveLength(1);
  });
});
