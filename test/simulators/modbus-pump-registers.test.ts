/**
 * The reference Modbus syringe pump, PDU in, PDU out (no transport): the status block,
 * the arm / setpoint / commit and arm / stop rules, refusals with their exception and
 * result register, the arm window on an injected clock, and the pump behaviours it shares
 * with the Asena simulator (integration over time, VTBI, alarms, keypad, wrong rate).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { ModbusPumpSimDevice } from '../../simulators/modbus-pump/modbus-pump-sim-device.js';
import { COMMAND_RESULT, STATUS_BITS } from '../../simulators/modbus-pump/pump-register-layout.js';
import type { SimPumpSetup } from '../../simulators/alaris-asena/asena-sim-device.js';

const ARM = 0xc0de;

function pump(setup: Partial<SimPumpSetup> = {}) {
  const clock = new ManualClock();
  let syncs = 0;
  const device = new ModbusPumpSimDevice({
    serial: 'MB-0001', setup: { concentrationMgPerMl: 1, rateMlPerHour: 5.25, running: true, ...setup },
    clock, pumpClock: clock, logger: silentLogger(), seed: 1, beforeChange: () => syncs++,
  });
  const ask = (pdu: number[]): Buffer => {
    const reply = device.slave.answer(Buffer.from(pdu));
    if (!reply) throw new Error('no reply');
    return reply.pdu;
  };
  const read = (address: number, count: number): number[] => {
    const r = ask([3, address >> 8, address & 0xff, 0, count]);
    if (r[0] !== 3) throw new Error(`exception ${r[1]}`);
    return Array.from({ length: count }, (_, i) => r.readUInt16BE(2 + 2 * i));
  };
  /** Function 6; returns null when echoed, else the exception code. */
  const write6 = (address: number, value: number): number | null => {
    const r = ask([6, address >> 8, address & 0xff, value >> 8, value & 0xff]);
    return r[0] === 6 ? null : (r[1] as number);
  };
  const write16 = (address: number, values: number[]): number | null => {
    const body = values.flatMap((v) => [v >> 8, v & 0xff]);
    const r = ask([16, address >> 8, address & 0xff, 0, values.length, 2 * values.length, ...body]);
    return r[0] === 16 ? null : (r[1] as number);
  };
  const status = () => {
    const [bits = 0, rHi = 0, rLo = 0, vHi = 0, vLo = 0, tHi = 0, tLo = 0, pressure = 0, , , result = 0, accepted = 0] = read(0, 12);
    return {
      bits, rateMlPerHour: (rHi * 65536 + rLo) / 100, volumeMl: (vHi * 65536 + vLo) / 1000, vtbiRaw: tHi * 65536 + tLo,
      pressure, result, accepted, running: (bits & (1 << STATUS_BITS.running)) !== 0,
    };
  };
  const setRate = (rate: number): Array<number | null> => {
    const raw = Math.round(rate * 100);
    return [write6(100, ARM), write16(101, [Math.floor(raw / 65536), raw % 65536]), write6(103, 1)];
  };
  return { clock, device, read, write6, write16, status, setRate, syncs: () => syncs };
}

describe('reference Modbus pump: status block', () => {
  it('reports rate (0.01 mL/h), volume (0.001 mL) integrating over time, running bit, no VTBI', () => {
    const p = pump({ rateMlPerHour: 60 });
    expect(p.status()).toMatchObject({ rateMlPerHour: 60, volumeMl: 0, running: true, vtbiRaw: 0xffffffff, result: COMMAND_RESULT.none });
    p.clock.advance(60_000);
    expect(p.status().volumeMl).toBeCloseTo(1, 3);
  });

  it('VTBI reached: stops with INFUSION_COMPLETE', () => {
    const p = pump({ rateMlPerHour: 60, vtbiMl: 0.5 });
    expect(p.status().vtbiRaw).toBe(500);
    p.clock.advance(60_000);
    const s = p.status();
    expect(s.running).toBe(false);
    expect(s.bits & (1 << STATUS_BITS.infusionComplete)).not.toBe(0);
    expect(s.volumeMl).toBeCloseTo(0.5, 3);
  });

  it('each injected alarm sets its own bit; occlusion stops the pump and raises the pressure', () => {
    const p = pump();
    const bits: Array<[Parameters<typeof p.device.handle>[0], number]> = [
      [{ type: 'low-battery' }, STATUS_BITS.lowBattery],
      [{ type: 'door-open' }, STATUS_BITS.syringeOrDoor],
      [{ type: 'air-in-line' }, STATUS_BITS.airInLine],
      [{ type: 'occlusion' }, STATUS_BITS.occlusion],
    ];
    for (const [event, bit] of bits) {
      p.device.handle(event);
      expect(p.status().bits & (1 << bit), event.type).not.toBe(0);
    }
    expect(p.status()).toMatchObject({ running: false });
    expect(p.status().pressure).toBeGreaterThan(300);
    p.device.handle({ type: 'clear-alarms' });
    expect(p.status().bits).toBe(0);
  });

  it('keypad changes show in the registers; the host syncs the patient before events and requests', () => {
    const p = pump();
    const before = p.syncs();
    p.device.handle({ type: 'keypad-rate', rateMlPerHour: 12.5 });
    expect(p.status().rateMlPerHour).toBe(12.5);
    p.device.handle({ type: 'keypad-stop' });
    expect(p.status().running).toBe(false);
    p.device.handle({ type: 'keypad-start' });
    expect(p.status().running).toBe(true);
    expect(p.syncs()).toBeGreaterThan(before + 3);
  });

  it('the status block and reserved registers are read-only (exception 02); unmapped addresses are 02', () => {
    const p = pump();
    expect(p.write6(1, 0)).toBe(0x02);
    expect(p.write6(50, 0)).toBe(0x02);
    expect(p.write6(105, 0)).toBe(0x02);
    expect(p.status().rateMlPerHour).toBe(5.25);
  });
});

describe('reference Modbus pump: arm / setpoint / commit', () => {
  it('armed sequence changes the rate, counts, disarms; setpoint reads back', () => {
    const p = pump();
    expect(p.setRate(7)).toEqual([null, null, null]);
    expect(p.status()).toMatchObject({ rateMlPerHour: 7, running: true, result: COMMAND_RESULT.accepted, accepted: 1 });
    expect(p.read(100, 3)).toEqual([0, 0, 700]);
    expect(p.device.writeCounts()).toEqual({ arm: 1, setpoint: 1, commit: 1, stop: 0, other: 0 });
  });

  it('while armed, the arm register and status bit 7 read 1 (never the code)', () => {
    const p = pump();
    p.write6(100, ARM);
    expect(p.read(100, 1)).toEqual([1]);
    expect(p.status().bits & (1 << STATUS_BITS.armed)).not.toBe(0);
    expect(p.device.state().remoteControl).toBe(true);
  });

  it('commit without arm is refused: exception 04, rate unchanged, register 10 says NOT_ARMED', () => {
    const p = pump();
    expect(p.write16(101, [0, 700])).toBe(0x04);
    expect(p.write6(103, 1)).toBe(0x04);
    expect(p.status()).toMatchObject({ rateMlPerHour: 5.25, result: COMMAND_RESULT.notArmed, accepted: 0 });
    expect(p.read(101, 2)).toEqual([0, 0]);
  });

  it('an arm expires after 5 s of the pump clock: ARM_EXPIRED', () => {
    const p = pump();
    p.write6(100, ARM);
    p.write16(101, [0, 700]);
    p.clock.advance(4999);
    expect(p.read(100, 1)).toEqual([1]);
    p.clock.advance(1);
    expect(p.write6(103, 1)).toBe(0x04);
    expect(p.status()).toMatchObject({ rateMlPerHour: 5.25, result: COMMAND_RESULT.armExpired });
  });

  it('a wrong arm code is refused (03) and disarms a valid arm', () => {
    const p = pump();
    p.write6(100, ARM);
    expect(p.write6(100, 0x1234)).toBe(0x03);
    expect(p.status().result).toBe(COMMAND_RESULT.wrongArmCode);
    expect(p.write16(101, [0, 700])).toBe(0x04);
  });

  it('a setpoint outside 0.1-1200 mL/h is refused (03) and disarms', () => {
    const p = pump();
    p.write6(100, ARM);
    expect(p.write16(101, [1, 54_465])).toBe(0x03); // 120001 = 1200.01 mL/h
    expect(p.status().result).toBe(COMMAND_RESULT.outOfRange);
    expect(p.write6(103, 1)).toBe(0x04);
    p.write6(100, ARM);
    expect(p.write16(101, [0, 9])).toBe(0x03);
    expect(p.status().rateMlPerHour).toBe(5.25);
  });

  it('commit after an arm with no setpoint is refused; one arm allows one action', () => {
    const p = pump();
    p.write6(100, ARM);
    expect(p.write6(103, 1)).toBe(0x04);
    expect(p.status().result).toBe(COMMAND_RESULT.noSetpoint);
    expect(p.setRate(8)).toEqual([null, null, null]);
    expect(p.write6(103, 1)).toBe(0x04);
    expect(p.status()).toMatchObject({ rateMlPerHour: 8, accepted: 1 });
  });

  it('half a setpoint, a commit value other than 1, or a write across registers is malformed (03)', () => {
    const p = pump();
    p.write6(100, ARM);
    expect(p.write6(101, 7)).toBe(0x03);
    p.write6(100, ARM);
    p.write16(101, [0, 700]);
    expect(p.write6(103, 2)).toBe(0x03);
    expect(p.write16(100, [ARM, 0, 700, 1])).toBe(0x03);
    expect(p.status()).toMatchObject({ rateMlPerHour: 5.25, result: COMMAND_RESULT.badCommand });
    expect(p.device.writeCounts().other).toBe(2);
  });

  it('stop: arm then 1 to register 104; without arm refused', () => {
    const p = pump();
    expect(p.write6(104, 1)).toBe(0x04);
    expect(p.status().running).toBe(true);
    expect(p.write6(100, ARM)).toBeNull();
    expect(p.write6(104, 1)).toBeNull();
    expect(p.status()).toMatchObject({ running: false, accepted: 1 });
  });

  it('a commit changes the rate but does not start a stopped pump (starting is done at the pump)', () => {
    const p = pump({ running: false });
    p.setRate(9);
    expect(p.status()).toMatchObject({ rateMlPerHour: 9, running: false });
  });

  it('wrong-rate: the commit is accepted and the setpoint reads back, but the pump runs x factor until resume', () => {
    const p = pump();
    p.device.handle({ type: 'wrong-rate', factor: 1.1 });
    expect(p.setRate(7)).toEqual([null, null, null]);
    expect(p.status().rateMlPerHour).toBe(7.7);
    expect(p.read(101, 2)).toEqual([0, 700]);
    expect(p.device.state().faults).toContain('wrong-rate x1.1');
    p.device.handle({ type: 'resume' });
    p.setRate(7);
    expect(p.status().rateMlPerHour).toBe(7);
  });

  it('counts every write request, refused ones included; reads are not writes', () => {
    const p = pump();
    p.status();
    p.read(100, 5);
    expect(p.device.writeCommandCount()).toBe(0);
    p.write6(104, 1);
    p.write6(3, 1);
    p.write6(200, 1);
    expect(p.device.writeCommandCount()).toBe(3);
  });
});

describe('reference Modbus pump: link faults', () => {
  it('silence: writes still act, no reply; corrupt replies are flagged; timed faults end on the clock', () => {
    const p = pump();
    p.device.handle({ type: 'silence', seconds: 2 });
    expect(p.device.mode().mode).toBe('silent');
    expect(p.device.slave.answer(Buffer.from([6, 0, 100, 0xc0, 0xde]))).toBeNull();
    expect(p.device.registers.armed).toBe(true);
    p.clock.advance(2000);
    expect(p.device.slave.answer(Buffer.from([3, 0, 0, 0, 1]))).not.toBeNull();
    p.device.handle({ type: 'corrupt-replies' });
    expect(p.device.slave.answer(Buffer.from([3, 0, 0, 0, 1]))).toMatchObject({ corrupt: true });
    expect(p.device.state().faults).toContain('corrupt-replies');
    p.device.handle({ type: 'resume' });
    expect(p.device.slave.answer(Buffer.from([3, 0, 0, 0, 1]))).toMatchObject({ corrupt: false });
  });

  it('disconnect drops an arm', () => {
    const p = pump();
    p.write6(100, ARM);
    p.device.handle({ type: 'disconnect' });
    expect(p.device.mode().mode).toBe('disconnected');
    p.device.handle({ type: 'resume' });
    expect(p.write16(101, [0, 700])).toBe(0x04);
  });

  it('keypad-start under an alarm is refused with SIMULATOR_EVENT_REFUSED', () => {
    const p = pump();
    p.device.handle({ type: 'occlusion' });
    expect(() => p.device.handle({ type: 'keypad-start' })).toThrow(expect.objectContaining({ code: 'SIMULATOR_EVENT_REFUSED' }));
  });
});
