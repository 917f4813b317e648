import type { Clock } from '../../src/core/clock.js';
import type { Logger } from '../../src/core/logger.js';
import type { AsenaPumpModel, SimPumpSnapshot } from '../alaris-asena/pump-model.js';
import { MODBUS_EXCEPTION, type ModbusExceptionCode } from '../modbus/modbus-exceptions.js';
import { RegisterBank } from '../modbus/register-bank.js';
import {
  ARM_CODE,
  ARM_WINDOW_MS,
  COMMAND_COUNT,
  COMMAND_REGISTERS,
  COMMAND_RESULT,
  COMMAND_START,
  COMMIT_VALUE,
  NO_VALUE_32,
  PUMP_RATE_RANGE_ML_PER_HOUR,
  STATUS_BITS,
  STATUS_COUNT,
  STOP_VALUE,
  type CommandResult,
} from './pump-register-layout.js';

/**
 * The holding registers of the reference Modbus syringe pump over the pump model shared
 * with the Asena simulator (docs/protocols/reference-syringe-pump.md), in a RegisterBank
 * the shared Modbus slave code serves (simulators/modbus/). `refresh()` (run before each
 * request) puts the status block (0-11) and the command block (100-104) in the bank;
 * registers 12-99 are reserved (read 0, writes refused). Writes go through the
 * arm / setpoint / commit (or arm / stop) rules:
 * - ARM (100) takes only ARM_CODE and lasts ARM_WINDOW_MS on `clock`;
 * - the setpoint (101-102, one function-16 write of both words), COMMIT (103) and STOP (104)
 *   are refused while not armed: the registers keep their old values, the reply is
 *   exception 04 and register 10 says why;
 * - any refusal disarms; a commit or stop disarms too (one arm, one action).
 * No transport here.
 */

/** null = accepted; otherwise the exception the reply carries. */
type WriteVerdict = ModbusExceptionCode | null;

/** Write requests the pump received, by target. */
export type PumpWriteKind = 'arm' | 'setpoint' | 'commit' | 'stop' | 'other';
const WRITE_KINDS: readonly PumpWriteKind[] = ['arm', 'setpoint', 'commit', 'stop', 'other'];

export interface ModbusPumpRegistersOptions {
  /** Real time (the arm window runs on it, not on the bed's accelerated pump clock). */
  readonly clock: Clock;
  readonly logger?: Logger;
}

/** A RegisterBank that counts every write request, inside the table or not. */
class CountingBank extends RegisterBank {
  constructor(private readonly onWrite: (address: number, values: readonly number[]) => void) {
    super({ holdingCount: COMMAND_START + COMMAND_COUNT, inputCount: 0 });
  }
  override writeHolding(address: number, values: readonly number[]): ModbusExceptionCode | null {
    this.onWrite(address, values);
    return super.writeHolding(address, values);
  }
}

export class ModbusPumpRegisters {
  /** What the Modbus slave serves. */
  readonly bank: RegisterBank;
  private armedUntil: number | null = null;
  private setpointStaged = false;
  private setpointRaw = 0;
  private result: CommandResult = COMMAND_RESULT.none;
  private accepted = 0;
  private wrongRateFactor: number | null = null;
  private readonly counts = new Map<PumpWriteKind, number>();

  constructor(
    readonly pump: AsenaPumpModel,
    private readonly options: ModbusPumpRegistersOptions,
  ) {
    this.bank = new CountingBank((address, values) => {
      const kind = writeKind(address, values.length);
      this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    });
    this.bank.onHoldingWrite({ check: (address, values) => this.write(address, values), written: () => this.refresh() });
    this.refresh();
  }

  /** Brings the bank up to date with the pump (the slave runs it before each request). */
  refresh(): void {
    this.bank.set('holding', 0, this.statusBlock());
    this.bank.set('holding', COMMAND_START, this.commandBlock());
  }

  /** True while an arm is valid. */
  get armed(): boolean {
    return this.armedUntil !== null && this.options.clock.monotonic() < this.armedUntil;
  }

  /** Result code of the last write command (register 10). */
  get lastResult(): CommandResult {
    return this.result;
  }

  /** `wrong-rate` fault: a commit is accepted but the pump runs setpoint x factor (null = off). */
  setWrongRateFactor(factor: number | null): void {
    this.wrongRateFactor = factor !== null && factor > 0 && Number.isFinite(factor) ? factor : null;
  }

  get activeWrongRateFactor(): number | null {
    return this.wrongRateFactor;
  }

  /** The link went away: an arm does not survive it. */
  resetLink(): void {
    this.armedUntil = null;
    this.setpointStaged = false;
  }

  /** Write requests received by target (refused ones included). */
  writeCounts(): Readonly<Record<PumpWriteKind, number>> {
    return Object.fromEntries(WRITE_KINDS.map((k) => [k, this.counts.get(k) ?? 0])) as Record<PumpWriteKind, number>;
  }

  /** Every write request received (function 6 or 16), refused or not. */
  writeCommandCount(): number {
    let n = 0;
    for (const count of this.counts.values()) n += count;
    return n;
  }

  /** Function 6 (one value) or 16 (several), inside the table: the arm / setpoint / commit / stop rules. */
  private write(address: number, values: readonly number[]): WriteVerdict {
    const kind = writeKind(address, values.length);
    const value = values[0] ?? 0;
    switch (kind) {
      case 'arm':
        if (value !== ARM_CODE) return this.refuse(COMMAND_RESULT.wrongArmCode, MODBUS_EXCEPTION.illegalDataValue);
        this.armedUntil = this.options.clock.monotonic() + ARM_WINDOW_MS;
        this.setpointStaged = false;
        return this.accept(false);
      case 'setpoint': {
        const refusal = this.armRefusal();
        if (refusal !== null) return refusal;
        const raw = (values[0] ?? 0) * 0x1_0000 + (values[1] ?? 0);
        const rate = raw / 100;
        if (rate < PUMP_RATE_RANGE_ML_PER_HOUR.min || rate > PUMP_RATE_RANGE_ML_PER_HOUR.max) {
          return this.refuse(COMMAND_RESULT.outOfRange, MODBUS_EXCEPTION.illegalDataValue);
        }
        this.setpointRaw = raw;
        this.setpointStaged = true;
        return this.accept(false);
      }
      case 'commit': {
        if (value !== COMMIT_VALUE) return this.refuse(COMMAND_RESULT.badCommand, MODBUS_EXCEPTION.illegalDataValue);
        const refusal = this.armRefusal();
        if (refusal !== null) return refusal;
        if (!this.setpointStaged) return this.refuse(COMMAND_RESULT.noSetpoint, MODBUS_EXCEPTION.serverDeviceFailure);
        const rate = this.setpointRaw / 100;
        const run = Math.min(PUMP_RATE_RANGE_ML_PER_HOUR.max, rate * (this.wrongRateFactor ?? 1));
        if (!this.pump.setRate(run)) return this.refuse(COMMAND_RESULT.outOfRange, MODBUS_EXCEPTION.illegalDataValue);
        return this.accept(true);
      }
      case 'stop': {
        if (value !== STOP_VALUE) return this.refuse(COMMAND_RESULT.badCommand, MODBUS_EXCEPTION.illegalDataValue);
        const refusal = this.armRefusal();
        if (refusal !== null) return refusal;
        this.pump.stop();
        return this.accept(true);
      }
      case 'other':
        // Status and reserved registers are read-only (02); a write across or into part of a
        // command (e.g. half of the setpoint) is malformed (03).
        return this.refuse(
          COMMAND_RESULT.badCommand,
          address >= COMMAND_START ? MODBUS_EXCEPTION.illegalDataValue : MODBUS_EXCEPTION.illegalDataAddress,
        );
    }
  }

  /** The status block now (integrates the pump to the clock's time first). */
  statusBlock(): number[] {
    const s = this.pump.snapshot();
    const regs = new Array<number>(STATUS_COUNT).fill(0);
    regs[0] = this.statusBits(s);
    put32(regs, 1, Math.round(s.rateMlPerHour * 100));
    put32(regs, 3, Math.round(s.volumeInfusedMl * 1000));
    put32(regs, 5, s.vtbiRemainingMl === null ? NO_VALUE_32 : Math.round(Math.max(0, s.vtbiRemainingMl) * 1000));
    regs[7] = clamp(Math.round(s.pressureMmHg), 0, 0xffff);
    put32(regs, 8, s.timeRemainingSeconds === null ? NO_VALUE_32 : Math.round(s.timeRemainingSeconds));
    regs[10] = this.result;
    regs[11] = this.accepted & 0xffff;
    return regs;
  }

  private commandBlock(): number[] {
    return [this.armed ? 1 : 0, Math.floor(this.setpointRaw / 0x1_0000), this.setpointRaw & 0xffff, 0, 0];
  }

  private statusBits(s: SimPumpSnapshot): number {
    const bits: Array<[boolean, number]> = [
      [s.running, STATUS_BITS.running],
      [s.alarms.includes('occlusion'), STATUS_BITS.occlusion],
      [s.alarms.includes('air-in-line'), STATUS_BITS.airInLine],
      [s.alarms.includes('infusion-complete'), STATUS_BITS.infusionComplete],
      [s.alarms.includes('near-end'), STATUS_BITS.nearEnd],
      [s.alarms.includes('door-open'), STATUS_BITS.syringeOrDoor],
      [s.alarms.includes('low-battery'), STATUS_BITS.lowBattery],
      [this.armed, STATUS_BITS.armed],
    ];
    return bits.reduce((word, [set, bit]) => (set ? word | (1 << bit) : word), 0);
  }

  /** The refusal for a command that needs an arm, or null when armed. */
  private armRefusal(): WriteVerdict {
    if (this.armed) return null;
    const expired = this.armedUntil !== null;
    return this.refuse(expired ? COMMAND_RESULT.armExpired : COMMAND_RESULT.notArmed, MODBUS_EXCEPTION.serverDeviceFailure);
  }

  private refuse(result: CommandResult, exception: ModbusExceptionCode): WriteVerdict {
    this.result = result;
    this.armedUntil = null;
    this.setpointStaged = false;
    this.options.logger?.debug({ result, exception }, 'sim: write refused');
    return exception;
  }

  private accept(disarm: boolean): WriteVerdict {
    this.result = COMMAND_RESULT.accepted;
    if (disarm) {
      this.accepted++;
      this.armedUntil = null;
      this.setpointStaged = false;
    }
    return null;
  }
}

/** Which command a write request addresses; anything not exactly one command is `other`. */
function writeKind(address: number, count: number): PumpWriteKind {
  if (address === COMMAND_REGISTERS.arm && count === 1) return 'arm';
  if (address === COMMAND_REGISTERS.setpoint && count === 2) return 'setpoint';
  if (address === COMMAND_REGISTERS.commit && count === 1) return 'commit';
  if (address === COMMAND_REGISTERS.stop && count === 1) return 'stop';
  return 'other';
}

function put32(regs: number[], at: number, value: number): void {
  const v = clamp(value, 0, NO_VALUE_32);
  regs[at] = Math.floor(v / 0x1_0000);
  regs[at + 1] = v & 0xffff;
}

function clamp(v: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, v));
}
