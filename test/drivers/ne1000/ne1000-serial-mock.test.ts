import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { GatewayBus } from '../../../src/bus/gateway-bus.js';
import type { Observation } from '../../../src/model/observation.js';
import { SerialTransport } from '../../../src/transport/serial-transport.js';
import { createNe1000Driver, ne1000Driver, ne1000OptionsSchema } from '../../../drivers/ne1000/ne1000-driver.js';
import { SafeDeframer } from '../../../drivers/ne1000/safe-frame-codec.js';
import { Ne1000PumpModel } from '../../../simulators/ne1000/pump-model.js';
import { Ne1000ProtocolHandler } from '../../../simulators/ne1000/protocol-handler.js';
import { waitFor } from '../../helpers/wait-for.js';
import { MockBinding, playDeviceOnPort, recordingBinding } from '../../helpers/mock-serial.js';


const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()?.();
  MockBinding.reset();
});

describe('ne1000 driver over SerialTransport + MockBinding', () => {
  it('opens the port at 19200 8N1, sends only queries, keeps the watchdog fed, and publishes the pump state', async () => {
    const path = '/dev/ttyNE1000';
    MockBinding.createPort(path, { echo: false, record: true });
    const { binding, opened } = recordingBinding();
    const { baudRate, dataBits, parity, stopBits } = ne1000Driver.serialDefaults;
    const transport = new SerialTransport({ path, baudRate, dataBits, parity, stopBits }, { logger: silentLogger(), binding });
    const bus = new GatewayBus();
    const observations: Observation[] = [];
    bus.observations$.subscribe((o) => observations.push(o));
    const driver = createNe1000Driver({
      bedId: 'bed-2', deviceId: 'pump', transport, bus, logger: silentLogger(), clock: systemClock,
      options: ne1000OptionsSchema.parse({ pollIntervalMs: 200, responseTimeoutMs: 300, communicationLostAfterMs: 60_000 }),
    });
    stops.push(() => driver.stop());

    const model = new Ne1000PumpModel({ clock: systemClock, rateMlPerHour: 3, rateUnit: 'MM' }); // shown as 0.050 mL/min
    model.run();
    const pump = new Ne1000ProtocolHandler(model, { watchdogSeconds: 2 });
    stops.push(() => pump.dispose());
    driver.start();
    await waitFor(transport.status$, (s) => s.state === 'open', 5000, 'port open');
    const port = opened[0]!;
    expect(port.openOptions).toMatchObject({ baudRate: 19_200, dataBits: 8, parity: 'none', stopBits: 1 });

    // Play the pump: answer every new byte the driver wrote.
    stops.push(playDeviceOnPort(port, pump));

    await waitFor(driver.pumpState$, (s) => s.fresh && s.rateMlPerHour === 3 && s.watchdogSeconds === 2 && s.run === 'infusing', 5000, 'pump state read');
    expect(observations.find((o) => o.metric === 'pump-rate')).toMatchObject({ value: 3, unit: 'mL/h' });
    // Keep polling for longer than the watchdog: the pump never stops.
    const ratReadsNow = pump.commandCounts().RAT;
    await waitFor(driver.pumpState$, () => pump.commandCounts().RAT >= ratReadsNow + 12, 10_000, '12 more RAT polls');
    expect(pump.watchdogTripCount).toBe(0);
    expect(model.snapshot().running).toBe(true);

    const data = new SafeDeframer().push(port.recording).flatMap((out) => (out.kind === 'frame' ? [out.data] : []));
    expect(new Set(data)).toEqual(new Set(['0VER', '0SAF', '0DIA', '0RAT', '0DIS']));
    expect(pump.writeCommandCount()).toBe(0);
  });
});
