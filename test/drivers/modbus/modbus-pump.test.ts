import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayBus } from '../../../src/bus/gateway-bus.js';
import type { Clock } from '../../../src/core/clock.js';
import { isVigilError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { RegisterLane } from '../../../src/device/command-lane.js';
import {
  createModbusDriver, modbusOptionsSchema, type ModbusDriver, type ModbusPumpLocalChange, type ModbusPumpState,
} from '../../../drivers/modbus/modbus-driver.js';
import { withModbusCrc } from '../../../drivers/modbus/modbus-crc.js';
import { AnsweringTransport } from './answering-transport.js';
import { TestSlave } from './test-slave.js';

/** A Modbus pump map: read-back state, local changes, and the register lane (safety rule 1). */
const MAP = resolve(import.meta.dirname, '../../fixtures/modbus-maps/test-pump.yaml');
const clock: Clock = { now: () => Date.now(), monotonic: () => Date.now() };

let driver: ModbusDriver | null = null;
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  await driver?.stop();
  driver = null;
  vi.useRealTimers();
});

function setup(withGrant: boolean) {
  const transport = new AnsweringTransport();
  const slave = new TestSlave(3);
  slave.set('holding', 0, [0, 1250, 34, 0xffff, 0b01]); // 12.50 mL/h, 3.4 mL infused, no VTBI, running
  transport.answer = (req) => slave.answerRtu(req);
  const lanes: RegisterLane[] = [];
  driver = createModbusDriver({
    bedId: 'bed-1', deviceId: 'pump', transport, bus: new GatewayBus(), logger: silentLogger(), clock,
    options: modbusOptionsSchema.parse({ map: MAP }),
    ...(withGrant ? { registerLaneGrant: (lane: RegisterLane) => lanes.push(lane) } : {}),
  });
  const states: ModbusPumpState[] = [];
  const changes: ModbusPumpLocalChange[] = [];
  driver.pumpState$.subscribe((s) => states.push(s));
  driver.localChanges$.subscribe((c) => changes.push(c));
  return { transport, slave, lanes, states, changes, driver, state: () => states.at(-1) as ModbusPumpState };
}

describe('modbus driver: pump maps', () => {
  it('reads the pump state back: rate, running, volume, no VTBI, fresh', async () => {
    const t = setup(false);
    expect(t.state()).toMatchObject({ fresh: false, run: 'unknown', rateMlPerHour: null });
    const startedAt = Date.now();
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(t.state()).toMatchObject({
      serial: null, run: 'running', rateMlPerHour: 12.5, volumeInfusedMl: 3.4, vtbiRemainingMl: null, fresh: true, activeConditions: [],
    });
    expect(t.state().updatedAt).toBe(startedAt);
  });

  it('reports a rate or run change made at the pump between two reads', async () => {
    const t = setup(false);
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    t.slave.set('holding', 0, [0, 800]);
    await vi.advanceTimersByTimeAsync(500);
    t.slave.set('holding', 4, [0b10]); // stopped, occlusion
    await vi.advanceTimersByTimeAsync(500);
    expect(t.changes.map((c) => [c.kind, c.before, c.after, c.acrossGap])).toEqual([
      ['rate', 12.5, 8, false],
      ['run-state', 'running', 'stopped', false],
    ]);
    expect(t.state()).toMatchObject({ run: 'stopped', rateMlPerHour: 8, activeConditions: ['OCCLUSION'] });
  });

  it('marks the state stale on a link drop and flags a change seen across the gap', async () => {
    const t = setup(false);
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    t.transport.drop('terminal server down');
    expect(t.state().fresh).toBe(false);
    t.slave.set('holding', 0, [0, 500]);
    t.transport.restore();
    await vi.advanceTimersByTimeAsync(10);
    expect(t.state()).toMatchObject({ fresh: true, rateMlPerHour: 5 });
    expect(t.changes).toEqual([expect.objectContaining({ kind: 'rate', before: 12.5, after: 5, acrossGap: true })]);
  });

  it('without a grant there is no lane, and the driver only ever sends reads', async () => {
    const t = setup(false);
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    t.slave.fault = { exception: 4 };
    await vi.advanceTimersByTimeAsync(3000);
    t.transport.drop();
    t.transport.restore();
    t.slave.fault = 'none';
    await vi.advanceTimersByTimeAsync(3000);
    expect(t.lanes).toEqual([]);
    expect(new Set(t.transport.written.map((frame) => frame[1]))).toEqual(new Set([3]));
    expect(t.slave.writes).toEqual([]);
    // Nothing but the lifecycle and the two read-only streams is reachable on the driver object.
    const names = new Set<string>();
    for (let o: object | null = t.driver; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
      for (const n of Object.getOwnPropertyNames(o)) names.add(n);
    }
    expect([...names].sort()).toEqual(['constructor', 'localChanges$', 'pumpState$', 'start', 'stop']);
  });

  it('with a grant, hands one lane that writes functions 6 and 16 through the same queue', async () => {
    const t = setup(true);
    expect(t.lanes).toHaveLength(1);
    const lane = t.lanes[0] as RegisterLane;
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    await lane.writeRegister(20, 0xa55a, { description: 'arm' });
    await lane.writeRegisters(21, [0, 800], { description: 'rate 8 mL/h' });
    await lane.writeRegister(23, 1, { description: 'commit' });
    expect(t.slave.writes).toEqual([
      { functionCode: 6, address: 20, values: [0xa55a] },
      { functionCode: 16, address: 21, values: [0, 800] },
      { functionCode: 6, address: 23, values: [1] },
    ]);
    const afterWrites = Date.now();
    t.slave.set('holding', 0, [0, 800]); // the pump took the new rate
    await vi.advanceTimersByTimeAsync(500);
    expect(t.state()).toMatchObject({ rateMlPerHour: 8, fresh: true });
    expect(t.state().updatedAt).toBeGreaterThan(afterWrites);
  });

  it('the lane refuses a register outside the map\'s write sequences before the wire', async () => {
    const t = setup(true);
    const lane = t.lanes[0] as RegisterLane;
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    const sent = t.transport.written.length;
    await expect(lane.writeRegister(0, 1, { description: 'overwrite the rate register' })).rejects.toMatchObject({ code: 'PUMP_VALUE_INVALID' });
    await expect(lane.writeRegisters(23, [1, 1, 1], { description: 'past the stop register' })).rejects.toMatchObject({ code: 'PUMP_VALUE_INVALID' });
    expect(t.transport.written.length).toBe(sent);
    expect(t.slave.writes).toEqual([]);
  });

  it('a refused or unanswered write fails once and is never retried', async () => {
    const t = setup(true);
    const lane = t.lanes[0] as RegisterLane;
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    t.slave.fault = { exception: 3 };
    const refused = await lane.writeRegister(20, 0xa55a, { description: 'arm' }).catch((e: unknown) => e);
    expect(isVigilError(refused, 'MODBUS_EXCEPTION') && refused.context['exceptionCode']).toBe(3);
    t.slave.fault = 'silent';
    const silent = lane.writeRegister(24, 1, { description: 'stop', timeoutMs: 300 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5000);
    expect(isVigilError(await silent, 'COMMAND_TIMEOUT')).toBe(true);
    const writesOnWire = t.slave.requests.filter((r) => r[1] === 6);
    expect(writesOnWire.map((r) => r.readUInt16BE(2))).toEqual([20, 24]);
  });

  it('a write reply that does not echo the request is a failure', async () => {
    const t = setup(true);
    const lane = t.lanes[0] as RegisterLane;
    t.driver.start();
    await vi.advanceTimersByTimeAsync(10);
    const normal = t.transport.answer;
    t.transport.answer = (req) => {
      const reply = normal(req) as Buffer | null;
      if (!reply || req[1] !== 6) return reply;
      const pdu = Buffer.from(reply.subarray(0, 6));
      pdu.writeUInt16BE(0x1234, 4); // the device says it stored another value
      return withModbusCrc(pdu);
    };
    await expect(lane.writeRegister(20, 0xa55a, { description: 'arm' })).rejects.toMatchObject({ code: 'FRAME_INVALID' });
  });
});
