import type { DataType } from '../../drivers/modbus/register-map.js';
import { MODBUS_EXCEPTION, type ModbusExceptionCode } from './modbus-exceptions.js';
import { encodeRegisterValue, type WordOrder } from './register-values.js';

/** Holding registers (functions 3, 6, 16) or input registers (function 4). */
export type RegisterTable = 'holding' | 'input';

/** Sizes of the two tables: registers 0..count-1 exist, every other address is exception 02. */
export interface RegisterBankSize {
  readonly holdingCount: number;
  readonly inputCount: number;
}

/**
 * What a device does when the Modbus master writes holding registers (functions 6 and 16).
 * `check` runs first and may refuse the whole write with an exception code (nothing is
 * stored); then the values are stored and `written` runs (it may change registers, e.g.
 * clear a commit flag, or act, e.g. start a pump).
 */
export interface HoldingWriteHook {
  check?(address: number, values: readonly number[]): ModbusExceptionCode | null;
  written?(address: number, values: readonly number[]): void;
}

/**
 * A simulated device's registers: a holding table and an input table of uint16 words,
 * addressed 0-based as on the wire. The device sets values with `set`/`setValue` (no
 * hooks); the Modbus master reads with `read` and writes with `writeHolding` (hooks run).
 */
export class RegisterBank {
  private readonly tables: Record<RegisterTable, Uint16Array>;
  private hook: HoldingWriteHook | null = null;

  constructor(size: RegisterBankSize) {
    this.tables = { holding: new Uint16Array(size.holdingCount), input: new Uint16Array(size.inputCount) };
  }

  /** Number of registers in `table`. */
  count(table: RegisterTable): number {
    return this.tables[table].length;
  }

  /** Sets the hook that sees (and may refuse) the master's writes; null removes it. */
  onHoldingWrite(hook: HoldingWriteHook | null): void {
    this.hook = hook;
  }

  /** One register word. RangeError outside the table (a simulator bug). */
  get(table: RegisterTable, address: number): number {
    this.checkRange(table, address, 1);
    return this.tables[table][address] as number;
  }

  /** Sets words from `address` on (uint16 each, masked). RangeError outside the table. */
  set(table: RegisterTable, address: number, words: number | readonly number[]): void {
    const list = typeof words === 'number' ? [words] : words;
    this.checkRange(table, address, list.length);
    list.forEach((w, i) => (this.tables[table][address + i] = w & 0xffff));
  }

  /** Sets a typed raw value (before any map scale) at `address`, e.g. `setValue('input', 6, 'float32', 'big', 38.5)`. */
  setValue(table: RegisterTable, address: number, type: DataType, wordOrder: WordOrder, raw: number): void {
    this.set(table, address, encodeRegisterValue(type, wordOrder, raw));
  }

  /** The master's read: `count` words from `address`, or exception 02 if any is outside the table. */
  read(table: RegisterTable, address: number, count: number): number[] | ModbusExceptionCode {
    if (!this.inRange(table, address, count)) return MODBUS_EXCEPTION.illegalDataAddress;
    return Array.from(this.tables[table].subarray(address, address + count));
  }

  /**
   * The master's write to holding registers: exception 02 outside the table, else the
   * hook's verdict; null when stored.
   */
  writeHolding(address: number, values: readonly number[]): ModbusExceptionCode | null {
    if (!this.inRange('holding', address, values.length)) return MODBUS_EXCEPTION.illegalDataAddress;
    const refused = this.hook?.check?.(address, values) ?? null;
    if (refused !== null) return refused;
    this.set('holding', address, values);
    this.hook?.written?.(address, values);
    return null;
  }

  private inRange(table: RegisterTable, address: number, count: number): boolean {
    return Number.isInteger(address) && address >= 0 && count >= 1 && address + count <= this.tables[table].length;
  }

  private checkRange(table: RegisterTable, address: number, count: number): void {
    if (!this.inRange(table, address, count)) {
      throw new RangeError(`${table} registers ${address}..${address + count - 1} are outside 0..${this.tables[table].length - 1}`);
    }
  }
}
