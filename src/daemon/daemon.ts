import { asyncScheduler, EMPTY, share, type Observable, type SchedulerLike } from 'rxjs';
import type { Logger } from '../core/logger.js';
import { systemClock, type Clock } from '../core/clock.js';
import { GatewayBus } from '../bus/gateway-bus.js';
import type { VigilConfig } from '../config/schema.js';
import type { AlarmEvent } from '../alarms/alarm.js';
import { resolveBedProfiles, startAlarmEngine } from './alarm-wiring.js';
import { AlarmControl } from '../alarms/alarm-control.js';
import type { AlarmControlApi } from '../alarms/alarm-control-api.js';
import { loadAlarmProfiles } from '../alarms/engine/profile-loader.js';
import type { EngineEvent } from '../alarms/engine/engine-events.js';
import { startStationServer } from '../station/station-server.js';
import { openDatabase } from '../store/database.js';
import { AuditLog } from '../audit/audit-log.js';
import { UserStore } from '../users/user-store.js';
import { SessionStore } from '../users/session-store.js';
import type { ControlApi } from '../control/control-api.js';
import { createDevices, type DeviceDeps } from './devices.js';
import { startSimulation, type RunningSimulation } from './simulation.js';
import { PumpControlWiring } from './pump-control.js';
import { ensureDemoUsers } from './demo-users.js';

export interface DaemonOptions {
  readonly config: VigilConfig;
  /** The configuration file (relative alarm-profile paths are read from its folder). */
  readonly configFile?: string;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly scheduler?: SchedulerLike;
  /** Measurement hooks for the benchmark (bench/gateway-under-test.ts); a clinic's daemon sets none. */
  readonly instrumentation?: DaemonInstrumentation;
}

export interface DaemonInstrumentation {
  /** Wraps each device's transport, e.g. to time the arrival of each chunk. */
  readonly wrapTransport?: DeviceDeps['wrapTransport'];
  /** Called after each batch of station WebSocket sends has been handed to the sockets. */
  readonly onStationFlush?: () => void;
}

export interface RunningDaemon {
  /** The nurse station, e.g. `http://127.0.0.1:8080/`. */
  readonly stationUrl: string;
  /** The simulators' control API when simulation is enabled. */
  readonly simulationControlUrl: string | null;
  readonly bus: GatewayBus;
  readonly alarms$: Observable<AlarmEvent>;
  /** The pump-control workflow, when a bed has an infusion pump. */
  readonly control: ControlApi | null;
  /** Acknowledge, audio pause, alarm off, profile and limit changes (audited). */
  readonly alarmControl: AlarmControlApi;
  /** Stops drivers, the station and the simulators, in that order. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts Vigil: the database and audit log, the built-in simulators (when configured),
 * the device drivers, the pump-control workflow, the alarm stage and the nurse station.
 * Layers only look down: transports -> drivers -> bus -> alarms -> station; the pump
 * programming door (src/control/) is wired here and nowhere else (docs/safety.md).
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
    const database = openDatabase(config.storage.databasePath, { logger });
    cleanups.push(() => database.close());
    const audit = new AuditLog(database, { clock, logger });
    const users = new UserStore(database, audit, { clock, logger });
    const sessions = new SessionStore(database, users, audit, { clock });
    if (config.demoUsers) await ensureDemoUsers(users, logger.child({ component: 'demo' }));

    let simulation: RunningSimulation | null = null;
    if (config.simulation.enabled) {
      simulation = await startSimulation(config, logger.child({ component: 'simulation' }), clock);
      const sim = simulation;
      cleanups.push(() => sim.stop());
    }

    const wiring = new PumpControlWiring(config, { logger, clock, database, audit, users, sessions });
    const wrapTransport = options.instrumentation?.wrapTransport;
    const devices = createDevices(config, { bus, logger, clock, laneGrantsFor: wiring.laneGrantsFor, ...(wrapTransport ? { wrapTransport } : {}) });
    const control = wiring.createService(devices);
    if (control) cleanups.push(() => control.close());

    const profiles = resolveBedProfiles(config, options.configFile ?? 'configuration');
    const engine = startAlarmEngine(config, profiles, { observations$: bus.observations$, status$: bus.status$, conditions$: bus.conditions$, external$: control?.alarms$ ?? EMPTY }, scheduler, logger);
    cleanups.push(() => engine.stop());
    const alarms$: Observable<AlarmEvent> = engine.alarmEvents$.pipe(share());
    const alarmControl = new AlarmControl({
      engine,
      sessions,
      audit,
      profiles: loadAlarmProfiles(),
      bedProfiles: profiles,
      logger: logger.child({ component: 'alarm-control' }),
    });
    const alarmLog = engine.events$.subscribe((e) => logEngineEvent(logger, e));
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
      waveforms$: bus.waveforms$,
      alarms$,
      ...(control ? { control } : { auth: alarmControl }),
      alarmControl,
      logger: logger.child({ component: 'station' }),
      ...(options.instrumentation?.onStationFlush ? { onFlush: options.instrumentation.onStationFlush } : {}),
    });
    cleanups.push(() => station.close());

    for (const d of devices) d.driver.start();
    cleanups.push(() => Promise.all(devices.map((d) => d.driver.stop())).then(() => undefined));
    cleanups.push(() => bus.close());

    audit.append({ actor: 'system', action: 'gateway.started', details: { beds: config.beds.map((b) => b.id) } });
    cleanups.push(() => {
      audit.append({ actor: 'system', action: 'gateway.stopped' });
    });
    logger.info({ station: station.url, beds: config.beds.length, simulation: config.simulation.enabled }, 'Vigil started');
    let stopped = false;
    return {
      stationUrl: station.url,
      simulationControlUrl: simulation?.controlUrl ?? null,
      bus,
      alarms$,
      control,
      alarmControl,
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

function logEngineEvent(logger: Logger, event: EngineEvent): void {
  if (event.type !== 'alarm') {
    logger.info({ component: 'alarms', event }, `alarm ${event.type}`);
    return;
  }
  const { phase, alarm } = event;
  const fields = { component: 'alarms', phase, bed: alarm.bedId, device: alarm.deviceId, code: alarm.code, priority: alarm.priority };
  if (phase === 'start') logger.warn(fields, `alarm: ${alarm.message}`);
  else if (phase === 'end') logger.info(fields, `alarm ended: ${alarm.message}`);
  else logger.debug(fields, `alarm update: ${alarm.message}`);
}
