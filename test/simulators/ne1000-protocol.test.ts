import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock, type Clock } from '../../src/core/clock.js';
import { isVigilError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { encodeSafeFrame, SafeDeframer } from '../../drivers/ne1000/safe-frame-codec.js';
import { Ne1000PumpModel } from '../../simulators/ne1000/pump-model.js';
import { formatFloat, Ne1000ProtocolHandler } from '../../simulators/ne1000/protocol-handler.js';
import { Ne1000SimDevice } from '../../simulators/ne1000/ne1000-sim-device.js';
import type { DeviceOutput, DeviceReceiver } from '../../simulators/serve/device-output.js';

/** Reply DATA of each packet in `bytes` ('!crc' for a packet with a bad CRC). */
function decode(bytes: Buffer): string[] {
  return new SafeDeframer().push(bytes).map((o) => (o.kind === 'frame' ? o.data : `!${o.rejection.reason}`));
}

const fakeNow: Clock = { now: () => Date.now(), monotonic: () => Date.now() };

function pumpWith(options: { rateMlPerHour?: number; rateUnit?: 'UM' | 'MM' | 'UH' | 'MH'; watchdogSeconds?: number; address?: number } = {}) {
  const model = new Ne1000PumpModel({ clock: fakeNow, rateMlPerHour: options.rateMlPerHour ?? 6, rateUnit: options.rateUnit ?? 'MH' });
  const unsolicited: Buffer[] = [];
  const handler = new Ne1000ProtocolHandler(model, {
    watchdogSeconds: options.watchdogSeconds ?? 10, address: options.address ?? 0, now: () => Date.now(),
    onUnsolicited: (b) => unsolicited.push(b),
  });
  const ask = (data: string): string[] => decode(handler.handleBytes(encodeSafeFrame(data)));
  return { model, handler, unsolicited, ask };
}

describe('NE-1000 simulator protocol', () => {
  let dispose: (() => void) | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    dispose?.();
    vi.useRealTimers();
  });

  it('answers the queries in safe-mode packets', () => {
    const p = pumpWith({ rateMlPerHour: 6, rateUnit: 'MM' });
    dispose = () => p.handler.dispose();
    expect(p.ask('0')).toEqual(['00S']);
    expect(p.ask('0VER')).toEqual(['00SNE1000V3.928']);
    expect(p.ask('0SAF')).toEqual(['00S10']);
    expect(p.ask('0DIA')).toEqual(['00S26.59']);
    expect(p.ask('0RAT')).toEqual(['00S0.100MM']);
    expect(p.ask('0DIS')).toEqual(['00SI0.000W0.000ML']);
    expect(p.handler.writeCommandCount()).toBe(0);
  });

  it('integrates the volume infused over time while running', () => {
    const p = pumpWith({ rateMlPerHour: 6 });
    dispose = () => p.handler.dispose();
    p.model.run();
    vi.advanceTimersByTime(30 * 60_000); // the watchdog is not armed until the first valid packet
    expect(p.ask('0DIS')).toEqual(['00II3.000W0.000ML']);
  });

  it('the watchdog is armed by the first valid packet; silence for n seconds stops the pump with A?T and an automatic alarm packet', () => {
    const p = pumpWith({ watchdogSeconds: 3 });
    dispose = () => p.handler.dispose();
    p.model.run();
    vi.advanceTimersByTime(60_000);
    expect(p.model.snapshot().running).toBe(true); // not armed yet
    p.ask('0');
    vi.advanceTimersByTime(2999);
    p.ask('0RAT'); // fed in time
    vi.advanceTimersByTime(2999);
    expect(p.model.snapshot()).toMatchObject({ running: true, alarm: null });
    vi.advanceTimersByTime(1);
    expect(p.model.snapshot()).toMatchObject({ running: false, alarm: 'T' });
    expect(p.handler.watchdogTripCount).toBe(1);
    expect(p.unsolicited.flatMap(decode)).toEqual(['00A?T']);
  });

  it('reports the alarm (status only) to the next command, which acknowledges it; the command is not executed', () => {
    const p = pumpWith({ watchdogSeconds: 1 });
    dispose = () => p.handler.dispose();
    p.model.run();
    p.ask('0');
    vi.advanceTimersByTime(1000);
    expect(p.ask('0RUN')).toEqual(['00A?T']);
    expect(p.model.snapshot().running).toBe(false);
    expect(p.ask('0RAT')).toEqual(['00S6.000MH']);
    expect(p.model.snapshot().alarm).toBeNull();
  });

  it('ignores packets with a bad CRC (no reply) and they do not feed the watchdog', () => {
    const p = pumpWith({ watchdogSeconds: 2 });
    dispose = () => p.handler.dispose();
    p.model.run();
    p.ask('0');
    const bad = encodeSafeFrame('0RAT');
    bad[bad.length - 2] = (bad[bad.length - 2] as number) ^ 0xff;
    vi.advanceTimersByTime(1500);
    expect(p.handler.handleBytes(bad)).toHaveLength(0);
    vi.advanceTimersByTime(500);
    expect(p.model.snapshot().alarm).toBe('T');
  });

  it('answers only its own address (or none, or *)', () => {
    const p = pumpWith({ address: 3 });
    dispose = () => p.handler.dispose();
    expect(p.ask('0RAT')).toEqual([]);
    expect(p.ask('3RAT')).toEqual(['03S6.000MH']);
    expect(p.ask('RAT')).toEqual(['03S6.000MH']);
    expect(p.ask('*RAT')).toEqual(['03S6.000MH']);
  });

  it('counts every non-query command as a write', () => {
    const p = pumpWith();
    dispose = () => p.handler.dispose();
    for (const q of ['0', '0RAT', '0DIS', '0SAF', '0DIA', '0VER', '0VOL', '0DIR']) p.ask(q);
    expect(p.handler.writeCommandCount()).toBe(0);
    expect(p.ask('0RAT12.5MH')).toEqual(['00S']);
    expect(p.ask('0RUN')).toEqual(['00I']);
    expect(p.ask('0SAF5')).toEqual(['00I']);
    expect(p.ask('0SAF0')).toEqual(['00I?NA']);
    expect(p.ask('0FOO')).toEqual(['00I?']);
    expect(p.handler.writeCommandCount()).toBe(5);
    expect(p.handler.commandCounts()).toMatchObject({ SET_RAT: 1, RUN: 1, SET_SAF: 2, OTHER: 1, RAT: 1 });
    expect(p.model.snapshot().rateMlPerHour).toBe(12.5);
  });

  it('faults: silence (still fed), corrupt replies, stall', () => {
    const p = pumpWith({ watchdogSeconds: 2 });
    dispose = () => p.handler.dispose();
    p.model.run();
    p.handler.inject('silence');
    expect(p.ask('0')).toEqual([]);
    vi.advanceTimersByTime(1500);
    expect(p.ask('0')).toEqual([]);
    vi.advanceTimersByTime(1500);
    expect(p.model.snapshot().alarm).toBeNull(); // the pump still receives: the watchdog is fed
    p.handler.clear('silence');
    p.handler.inject('corrupt-replies');
    expect(p.ask('0RAT')).toEqual(['!crc-mismatch']);
    p.handler.clear('corrupt-replies');
    p.handler.stall();
    expect(p.model.snapshot()).toMatchObject({ running: false, alarm: 'S' });
    expect(p.unsolicited.flatMap(decode)).toEqual(['00A?S']);
  });

  it('a syringe pushed to its end stalls the motor', () => {
    const clock = new ManualClock();
    const model = new Ne1000PumpModel({ clock, rateMlPerHour: 60, syringeVolumeMl: 1 });
    model.run();
    clock.advance(120_000);
    expect(model.snapshot()).toMatchObject({ running: false, alarm: 'S', volumeInfusedMl: 1 });
  });

  it('formats floats as the pump does: at most 4 digits, at most 3 decimals', () => {
    expect([0, 5, 9.9996, 12.5, 250, 1200, 123456].map(formatFloat)).toEqual(['0.000', '5.000', '10.00', '12.50', '250.0', '1200', '9999']);
  });
});

/** An output that records what the device wrote and lets the test play the host. */
class FakeOutput implements DeviceOutput {
  readonly description = 'fake://ne1000';
  readonly written: Buffer[] = [];
  connected = true;
  receiver: DeviceReceiver | null = null;
  async start(): Promise<{ port?: number }> {
    return {};
  }
  write(bytes: Buffer): void {
    if (this.connected) this.written.push(bytes);
  }
  setConnected(connected: boolean): void {
    this.connected = connected;
  }
  setReceiver(receiver: DeviceReceiver | null): void {
    this.receiver = receiver;
  }
  detail(): string {
    return this.connected ? 'connected' : 'down';
  }
  async stop(): Promise<void> {}
  send(data: string): string[] {
    const replies: Buffer[] = [];
    this.receiver?.receive(encodeSafeFrame(data), (b) => replies.push(b));
    return replies.flatMap(decode);
  }
}

describe('Ne1000SimDevice events', () => {
  let device: Ne1000SimDevice | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    device?.stop();
    vi.useRealTimers();
  });

  function make() {
    device = new Ne1000SimDevice({
      setup: { concentrationMgPerMl: 10, rateMlPerHour: 6, running: true }, watchdogSeconds: 5,
      clock: fakeNow, pumpClock: fakeNow, logger: silentLogger(), seed: 1,
    });
    const out = new FakeOutput();
    device.attach(out);
    return { device, out };
  }

  it('keypad start, stop and rate are local changes the protocol shows', () => {
    const { device: d, out } = make();
    d.handle({ type: 'keypad-stop' });
    expect(out.send('0')).toEqual(['00S']);
    d.handle({ type: 'keypad-rate', rateMlPerHour: 9 });
    d.handle({ type: 'keypad-start' });
    expect(out.send('0RAT')).toEqual(['00I9.000MH']);
    expect(d.writeCommandCount()).toBe(0);
  });

  it('occlusion stalls the pump and sends the alarm; keypad-start clears it and runs', () => {
    const { device: d, out } = make();
    d.handle({ type: 'occlusion' });
    expect(out.written.flatMap(decode)).toEqual(['00A?S']);
    expect(d.state()).toMatchObject({ running: false, alarm: 'S' });
    d.handle({ type: 'keypad-start' });
    expect(d.state()).toMatchObject({ running: true, alarm: null });
  });

  it('a timed disconnect ends on time, with no byte arriving', () => {
    const { device: d, out } = make();
    d.handle({ type: 'disconnect', seconds: 2 });
    expect(out.connected).toBe(false);
    expect(d.mode()).toEqual({ mode: 'disconnected', secondsLeft: 2 });
    vi.advanceTimersByTime(2000);
    expect(out.connected).toBe(true);
    expect(d.mode().mode).toBe('answering');
  });

  it('a watchdog trip during a disconnect is seen by the host only when it asks', () => {
    const { device: d, out } = make();
    out.send('0');
    d.handle({ type: 'disconnect' });
    vi.advanceTimersByTime(5000);
    expect(out.written).toEqual([]); // the automatic alarm packet was lost on the cut line
    d.handle({ type: 'resume' });
    expect(out.send('0DIS')).toEqual(['00A?T']);
    expect(d.state()).toMatchObject({ running: false, alarm: null, watchdogTrips: 1 });
  });

  it('refuses events an NE-1000 does not have', () => {
    const { device: d } = make();
    let caught: unknown;
    try {
      d.handle({ type: 'air-in-line' });
    } catch (err) {
      caught = err;
    }
    expect(isVigilError(caught, 'SIMULATOR_EVENT_INVALID')).toBe(true);
  });
});
