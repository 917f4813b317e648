import { asyncScheduler, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { Logger } from '../core/logger.js';
import { systemClock, type Clock } from '../core/clock.js';
import { GatewayBus } from '../bus/gateway-bus.js';
import type { VigilConfig } from '../config/schema.js';
import type { AlarmEvent } from '../alarms/alarm.js';
import { createAlarmPipeline } from '../alarms/alarm-pipeline.js';
import { startStationServer } from '../station/station-server.js';
import type { DeviceDriver } from '../device/device-driver.js';
import { startDevices } from './devices.js';
import { startSimulation, type RunningSimulation } from './simulation.js';

export interface DaemonOptions {
  readonly config: VigilConfig;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly scheduler?: SchedulerLike;
}

export interface RunningDaemon {
  /** The nurse station, e.g. `http://127.0.0.1:8080`. */
  readonly stationUrl: string;
  /** The simulators' control API when simulation is enabled. */
  readonly simulationControlUrl: string | null;
  readonly bus: GatewayBus;
  readonly alarms$: Observable<AlarmEvent>;
  /** Stops drivers, the station and the simulators, in that order. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts Vigil: the built-in simulators (when configured), the alarm stage, the nurse
 * station, then one driver per configured device. Layers only look down:
 * transports -> drivers -> bus -> alarms -> station.
 */
export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const scheduler = options.scheduler ?? asyncScheduler;
  const bus = new GatewayBus();
  const cleanups: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        logger.error({ err }, 'error while stopping');
      }
    }
    cleanups.length = 0;
  };

  try {
    let simulation: RunningSimulation | null = null;
    if (config.simulation.enabled) {
      simulation = await startSimulation(config, logger.child({ component: 'simulation' }), clock);
      const sim = simulation;
      cleanups.push(() => sim.stop());
    }

    const alarms$ = createAlarmPipeline(config.beds, bus, scheduler);
    const alarmLog: Subscription = alarms$.subscribe((e) => logAlarm(logger, e));
    cleanups.push(() => alarmLog.unsubscribe());

    const station = await startStationServer({
      host: config.station.host,
      port: config.station.port,
      beds: config.beds.map((b) => ({
        id: b.id,
        label: b.label,
        session: b.session,
        devices: b.devices.map((d) => ({ id: d.id, driver: d.driver, transport: d.transport })),
      })),
      observations$: bus.observations$,
      status$: bus.status$,
      alarms$,
      logger: logger.child({ component: 'station' }),
    });
    cleanups.push(() => station.close());

    const drivers: DeviceDriver[] = startDevices(config, { bus, logger, clock });
    cleanups.push(() => Promise.all(drivers.map((d) => d.stop())).then(() => undefined));
    cleanups.push(() => bus.close());

    logger.info({ station: station.url, beds: config.beds.length, simulation: config.simulation.enabled }, 'Vigil started');
    let stopped = false;
    return {
      stationUrl: station.url,
      simulationControlUrl: simulation?.controlUrl ?? null,
      bus,
      alarms$,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await stopAll();
        logger.info('Vigil stopped');
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function logAlarm(logger: Logger, { phase, alarm }: AlarmEvent): void {
  const fields = { component: 'alarms', phase, bed: alarm.bedId, device: alarm.deviceId, code: alarm.code, priority: alarm.priority };
  if (phase === 'start') logger.warn(fields, `alarm: ${alarm.message}`);
  else if (phase === 'end') logger.info(fields, `alarm ended: ${alarm.message}`);
  else logger.debug(fields, `alarm update: ${alarm.message}`);
}
