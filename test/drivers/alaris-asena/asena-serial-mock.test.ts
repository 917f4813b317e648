import { afterEach, describe, expect, it } from 'vitest';
import { interval } from 'rxjs';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { GatewayBus } from '../../../src/bus/gateway-bus.js';
import type { Observation } from '../../../src/model/observation.js';
import type { DeviceStatus } from '../../../src/model/device-events.js';
import { SerialTransport } from '../../../src/transport/serial-transport.js';
import { alarisAsenaDriver, createAsenaDriver } from '../../../drivers/alaris-asena/asena-driver.js';
import { AsenaDeframer } from '../../../drivers/alaris-asena/frame-codec.js';
import { AsenaPumpModel } from '../../../simulators/alaris-asena/pump-model.js';
import { AsenaProtocolHandler } from '../../../simulators/alaris-asena/protocol-handler.js';
import { waitFor } from '../../helpers/wait-for.js';
import { MockBinding, playDeviceOnPort, recordingBinding } from '../../helpers/mock-serial.js';


const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()?.();
  MockBinding.reset();
});

describe('alaris-asena-gh driver over SerialTransport + MockBinding', () => {
  it('opens the port at 38400 8N1, polls with read queries only, and publishes the pump state', async () => {
    const path = '/dev/ttyASENA1';
    MockBinding.createPort(path, { echo: false, record: true });
    const { binding, opened } = recordingBinding();
    const { baudRate, dataBits, parity, stopBits } = alarisAsenaDriver.serialDefaults;
    const transport = new SerialTransport({ path, baudRate, dataBits, parity, stopBits }, { logger: silentLogger(), binding });
    const bus = new GatewayBus();
    const observations: Observation[] = [];
    const statuses: DeviceStatus[] = [];
    bus.observations$.subscribe((o) => observations.push(o));
    bus.status$.subscribe((s) => statuses.push(s));
    const driver = createAsenaDriver({
      bedId: 'bed-1', deviceId: 'pump', transport, bus, logger: silentLogger(), clock: systemClock,
      options: { pollIntervalMs: 500, responseTimeoutMs: 500, communicationLostAfterMs: 60_000 },
    });
    stops.push(() => driver.stop());

    const model = new AsenaPumpModel({ clock: systemClock, serial: '8002-51740', rateMlPerHour: 5.25 });
    model.start();
    const pump = new AsenaProtocolHandler(model);
    driver.start();
    await waitFor(transport.status$, (s) => s.state === 'open', 5000, 'port open');
    const port = opened[0]!;
    expect(port.openOptions).toMatchObject({ baudRate: 38_400, dataBits: 8, parity: 'none', stopBits: 1 });

    // Play the pump: answer every new byte the driver wrote.
    stops.push(playDeviceOnPort(port, pump));

    await waitFor(driver.pumpState$, (s) => s.fresh && s.rateMlPerHour === 5.25 && s.serial === '8002-51740', 5000, 'pump state read');
    expect(observations.find((o) => o.metric === 'pump-rate')).toMatchObject({ value: 5.25, unit: 'mL/h', code: 157784 });
    expect(statuses.at(-1)).toMatchObject({ link: 'open', data: 'receiving', identity: { serial: '8002-51740' } });

    // After two full poll cycles, everything the driver ever wrote is one of the three read queries.
    const written = () => new AsenaDeframer().push(port.recording).flatMap((out) => (out.kind === 'frame' ? [out.body] : []));
    await waitFor(interval(20), () => written().filter((b) => b === 'INF_VTBI').length >= 2, 5000, 'two poll cycles');
    expect(new Set(written())).toEqual(new Set(['INST_SERIALNO', 'INF', 'INF_VTBI']));
    expect(pump.writeCommandCount()).toBe(0);
  });
});
