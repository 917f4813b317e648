/**
 * ModbusExecutor against a fake register lane and a pump reading stream: it writes the
 * map's sequence once, in order, and reports every outcome with the same codes as the
 * Asena executor. Time: a ManualClock for timestamps, fake timers for the read-back deadline.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BehaviorSubject } from 'rxjs';
import { ManualClock } from '../../../src/core/clock.js';
import { VigilError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { RegisterLane } from '../../../src/device/command-lane.js';
import { issueConfirmedOrder, type ConfirmedOrder } from '../../../src/control/confirmed-order.js';
import type { PumpReading } from '../../../src/control/order-types.js';
import { ModbusExecutor } from '../../../src/control/modbus/modbus-executor.js';
import { registerMapSchema, type PumpMap } from '../../../drivers/modbus/register-map.js';
import { KETAMINE } from '../control-fixture.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MAP = registerMapSchema.parse(parse(readFileSync(join(ROOT, 'config/modbus-maps/reference-syringe-pump.yaml'), 'utf8')));
const PUMP: PumpMap = MAP.pump!;
const OPTIONS = { commandTimeoutMs: 300, readbackDeadlineMs: 2000, rateToleranceMlPerHour: 0.01 };

interface Write {
  fn: 6 | 16;
  address: number;
  values: number[];
  timeoutMs: number | undefined;
}

/** Records writes; `fail[i]` makes the i-th write reject with that error; `afterWrite` runs after each accepted one. */
class FakeLane implements RegisterLane {
  readonly writes: Write[] = [];
  fail = new Map<number, unknown>();
  afterWrite: (count: number) => void = () => undefined;

  writeRegister(address: number, value: number, options: { description: string; timeoutMs?: number }): Promise<void> {
    return this.record({ fn: 6, address, values: [value], timeoutMs: options.timeoutMs });
  }
  writeRegisters(address: number, values: readonly number[], options: { description: string; timeoutMs?: number }): Promise<void> {
    return this.record({ fn: 16, address, values: [...values], timeoutMs: options.timeoutMs });
  }
  private async record(write: Write): Promise<void> {
    const index = this.writes.length;
    this.writes.push(write);
    await Promise.resolve();
    if (this.fail.has(index)) throw this.fail.get(index);
    this.afterWrite(this.writes.length);
  }
}

const user = { id: 1, username: 'ana', displayName: 'Ana', role: 'nurse' as const };
let n = 0;
function order(kind: 'rate-change' | 'stop', targetRateMlPerHour: number | null = kind === 'stop' ? null : 7): ConfirmedOrder {
  n += 1;
  return issueConfirmedOrder({
    id: `modbus-exec-${process.pid}-${n}-${Math.random()}`,
    kind,
    bedId: 'bed-1',
    deviceId: 'pump',
    targetRateMlPerHour,
    targetRunState: kind === 'stop' ? 'stopped' : 'running',
    programme: KETAMINE,
    pumpAtRequest: { rateMlPerHour: 5.25, runState: 'running', serial: null, volumeInfusedMl: 1, vtbiRemainingMl: null, fresh: true, readAt: 1 },
    requestedBy: user,
    confirmedBy: user,
    doubleCheckedBy: null,
    issuedAt: 1,
  });
}

function setup(pump: PumpMap = PUMP) {
  const clock = new ManualClock();
  const readings = new BehaviorSubject<PumpReading>({
    rateMlPerHour: 5.25, runState: 'running', serial: null, volumeInfusedMl: 1, vtbiRemainingMl: null, fresh: true, readAt: clock.now(),
  });
  const lane = new FakeLane();
  const executor = new ModbusExecutor(lane, pump, readings.asObservable(), clock, silentLogger(), OPTIONS);
  /** After the sequence's last write, the pump's next poll reports `patch`. */
  const pumpReportsAfterWrites = (count: number, patch: Partial<PumpReading>) => {
    lane.afterWrite = (done) => {
      if (done !== count) return;
      setImmediate(() => {
        clock.advance(1000);
        readings.next({ ...readings.value, ...patch, fresh: true, readAt: clock.now() });
      });
    };
  };
  return { clock, readings, lane, executor, pumpReportsAfterWrites };
}

/** A lane rejection carrying a Modbus exception reply. */
function modbusException(code: number): VigilError {
  return new VigilError('MODBUS_EXCEPTION', `exception ${code}`, { exceptionCode: code });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ModbusExecutor: the write-verify sequence', () => {
  it('a rate change writes arm, setpoint (function 16, 0.01 mL/h) and commit once each, in order, then verifies', async () => {
    const { lane, executor, pumpReportsAfterWrites } = setup();
    pumpReportsAfterWrites(3, { rateMlPerHour: 7, runState: 'running' });
    const outcome = await executor.execute(order('rate-change', 7));
    expect(lane.writes.map(({ fn, address, values }) => ({ fn, address, values }))).toEqual([
      { fn: 6, address: 100, values: [0xc0de] },
      { fn: 16, address: 101, values: [0, 700] },
      { fn: 6, address: 103, values: [1] },
    ]);
    expect(lane.writes.every((w) => w.timeoutMs === OPTIONS.commandTimeoutMs)).toBe(true);
    expect(outcome.verified).toBe(true);
    expect(outcome.readback?.rateMlPerHour).toBe(7);
    expect(outcome.steps.map((s) => s.result)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(outcome.steps[1]?.command).toContain('rate setpoint');
  });

  it('a large rate spans both words of the uint32 setpoint', async () => {
    const { lane, executor, pumpReportsAfterWrites } = setup();
    pumpReportsAfterWrites(3, { rateMlPerHour: 1199.99 });
    const outcome = await executor.execute(order('rate-change', 1199.99));
    expect(lane.writes[1]?.values).toEqual([Math.floor(119_999 / 65_536), 119_999 % 65_536]);
    expect(outcome.verified).toBe(true);
  });

  it('a stop writes arm and stop, then verifies the pump stopped', async () => {
    const { lane, executor, pumpReportsAfterWrites } = setup();
    pumpReportsAfterWrites(2, { runState: 'stopped' });
    const outcome = await executor.execute(order('stop'));
    expect(lane.writes.map((w) => [w.fn, w.address, w.values])).toEqual([
      [6, 100, [0xc0de]],
      [6, 104, [1]],
    ]);
    expect(outcome.verified).toBe(true);
  });

  it('accepts a read-back within 0.01 mL/h and no further', async () => {
    const near = setup();
    near.pumpReportsAfterWrites(3, { rateMlPerHour: 7.01 });
    expect((await near.executor.execute(order('rate-change', 7))).verified).toBe(true);
    const far = setup();
    far.pumpReportsAfterWrites(3, { rateMlPerHour: 7.02 });
    expect(await far.executor.execute(order('rate-change', 7))).toMatchObject({ verified: false, code: 'READBACK_MISMATCH' });
  });
});

describe('ModbusExecutor: failures, never retried', () => {
  it('refuses an order the workflow did not issue, writing nothing', async () => {
    const { lane, executor } = setup();
    const lookAlike = { ...order('rate-change').toJSON() } as unknown as ConfirmedOrder;
    await expect(executor.execute(lookAlike)).rejects.toThrow(/did not issue/);
    expect(lane.writes).toEqual([]);
  });

  it('a rate outside the map range or not representable is PUMP_REFUSED with nothing written', async () => {
    const { lane, executor } = setup();
    expect(await executor.execute(order('rate-change', 1200.5))).toMatchObject({ verified: false, code: 'PUMP_REFUSED', steps: [] });
    expect(await executor.execute(order('rate-change', 0.05))).toMatchObject({ verified: false, code: 'PUMP_REFUSED' });
    expect(await executor.execute(order('rate-change', 5.255))).toMatchObject({ verified: false, code: 'PUMP_REFUSED' });
    expect(lane.writes).toEqual([]);
  });

  it('a Modbus exception reply is PUMP_REFUSED and ends the sequence (no commit after a refused setpoint)', async () => {
    const { lane, executor } = setup();
    lane.fail.set(1, modbusException(0x04));
    const outcome = await executor.execute(order('rate-change', 7));
    expect(outcome).toMatchObject({ verified: false, code: 'PUMP_REFUSED' });
    expect(lane.writes).toHaveLength(2);
    expect(outcome.steps.map((s) => s.result)).toEqual(['accepted', 'refused']);
    expect(outcome.steps[1]?.reply).toContain('SERVER DEVICE FAILURE');
  });

  it('a refused arm sends nothing more', async () => {
    const { lane, executor } = setup();
    lane.fail.set(0, modbusException(0x03));
    expect(await executor.execute(order('stop'))).toMatchObject({ verified: false, code: 'PUMP_REFUSED' });
    expect(lane.writes).toHaveLength(1);
  });

  it('no reply is NO_REPLY; a gateway that cannot reach the pump too', async () => {
    const a = setup();
    a.lane.fail.set(2, new VigilError('COMMAND_TIMEOUT', 'timeout'));
    const timedOut = await a.executor.execute(order('rate-change', 7));
    expect(timedOut).toMatchObject({ verified: false, code: 'NO_REPLY' });
    expect(timedOut.steps[2]).toMatchObject({ result: 'no-reply', reply: null });
    const b = setup();
    b.lane.fail.set(0, modbusException(0x0b));
    expect(await b.executor.execute(order('rate-change', 7))).toMatchObject({ verified: false, code: 'NO_REPLY' });
  });

  it('a reply that does not echo the write is not an acceptance: PUMP_REFUSED', async () => {
    const { lane, executor } = setup();
    lane.fail.set(2, new VigilError('FRAME_INVALID', "the device's reply does not echo the write"));
    const outcome = await executor.execute(order('rate-change', 7));
    expect(outcome).toMatchObject({ verified: false, code: 'PUMP_REFUSED' });
    expect(outcome.steps[2]).toMatchObject({ result: 'refused', reply: expect.stringContaining('echo') });
  });

  it('a write the lane refuses before the wire is PUMP_REFUSED with nothing more sent', async () => {
    const { lane, executor } = setup();
    lane.fail.set(0, new VigilError('PUMP_VALUE_INVALID', 'register 100 is not in the map'));
    const outcome = await executor.execute(order('stop'));
    expect(outcome).toMatchObject({ verified: false, code: 'PUMP_REFUSED', message: expect.stringContaining('not sent') });
    expect(lane.writes).toHaveLength(1);
  });

  it('link loss is LINK_LOST', async () => {
    for (const err of [new VigilError('COMMAND_ABORTED', 'aborted'), new VigilError('TRANSPORT_NOT_OPEN', 'closed')]) {
      const { lane, executor } = setup();
      lane.fail.set(1, err);
      expect(await executor.execute(order('rate-change', 7))).toMatchObject({ verified: false, code: 'LINK_LOST' });
      expect(lane.writes).toHaveLength(2);
    }
  });

  it('the pump runs another rate: READBACK_MISMATCH, one commit only', async () => {
    const { lane, executor, pumpReportsAfterWrites } = setup();
    pumpReportsAfterWrites(3, { rateMlPerHour: 7.7 });
    const outcome = await executor.execute(order('rate-change', 7));
    expect(outcome).toMatchObject({ verified: false, code: 'READBACK_MISMATCH', readback: { rateMlPerHour: 7.7 } });
    expect(lane.writes.filter((w) => w.address === 103)).toHaveLength(1);
  });

  it('ordered stopped but still running, or a rate change that left the pump stopped: READBACK_MISMATCH', async () => {
    const a = setup();
    a.pumpReportsAfterWrites(2, { runState: 'running' });
    expect(await a.executor.execute(order('stop'))).toMatchObject({ verified: false, code: 'READBACK_MISMATCH' });
    const b = setup();
    b.pumpReportsAfterWrites(3, { rateMlPerHour: 7, runState: 'stopped' });
    expect(await b.executor.execute(order('rate-change', 7))).toMatchObject({ verified: false, code: 'READBACK_MISMATCH' });
  });

  it('no fresh reading after the writes before the deadline: READBACK_TIMEOUT (old and stale readings do not count)', async () => {
    vi.useFakeTimers();
    const { clock, readings, lane, executor } = setup();
    lane.afterWrite = (done) => {
      if (done !== 3) return;
      // A reading that says "7 mL/h" but was taken before the writes, and a stale one.
      readings.next({ ...readings.value, rateMlPerHour: 7, readAt: clock.now() - 10 });
      readings.next({ ...readings.value, rateMlPerHour: 7, fresh: false, readAt: clock.now() + 10 });
    };
    const pending = executor.execute(order('rate-change', 7));
    await vi.advanceTimersByTimeAsync(OPTIONS.readbackDeadlineMs + 10);
    const outcome = await pending;
    expect(outcome).toMatchObject({ verified: false, code: 'READBACK_TIMEOUT' });
    expect(lane.writes).toHaveLength(3);
  });
});
