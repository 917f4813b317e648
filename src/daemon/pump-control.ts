import type { Observable } from 'rxjs';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import { VigilError } from '../core/errors.js';
import type { BedConfig, VigilConfig } from '../config/schema.js';
import type { CommandLane, CommandLaneGrant, RegisterLane, RegisterLaneGrant } from '../device/command-lane.js';
import type { DriverDefinition } from '../device/device-driver.js';
import type { VigilDatabase } from '../store/database.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { UserStore } from '../users/user-store.js';
import type { SessionStore } from '../users/session-store.js';
import type { AsenaPumpState, PumpLocalChange } from '../../drivers/alaris-asena/asena-driver.js';
import type { ModbusDriver } from '../../drivers/modbus/modbus-driver.js';
import type { ModbusOptions } from '../../drivers/modbus/modbus-options.js';
import { findDrug, loadDrugLibrary } from '../config/drug-library.js';
import { ControlService } from '../control/order-workflow.js';
import type { ControlledPump } from '../control/controlled-pump.js';
import type { PumpExecutor } from '../control/pump-executor.js';
import type { PumpReading } from '../control/order-types.js';
import type { PumpLocalChangeInput } from '../control/controlled-pump.js';
import { AsenaExecutor } from '../control/asena/asena-executor.js';
import { asenaLocalChanges, asenaReadings } from '../control/asena/asena-readings.js';
import { ModbusExecutor } from '../control/modbus/modbus-executor.js';
import { modbusLocalChanges, modbusReadings } from '../control/modbus/modbus-readings.js';
import type { RunningDevice } from './devices.js';

export interface PumpControlDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly database: VigilDatabase;
  readonly audit: AuditLog;
  readonly users: UserStore;
  readonly sessions: SessionStore;
}

type PumpFamily = NonNullable<DriverDefinition['programmablePump']>;
type Lane = { family: 'alaris-asena-gh'; lane: CommandLane } | { family: 'modbus-register-map'; lane: RegisterLane };

/**
 * Wires each bed's infusion pump to the control module, and nothing else:
 * `laneGrantsFor` hands a lane grant only for a bed's configured infusion pump, and the
 * lane goes straight into that pump's executor inside src/control/ (docs/safety.md).
 */
export class PumpControlWiring {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly config: VigilConfig,
    private readonly deps: PumpControlDeps,
  ) {}

  laneGrantsFor = (
    bedId: string,
    deviceId: string,
    family: PumpFamily,
  ): { commandLaneGrant?: CommandLaneGrant; registerLaneGrant?: RegisterLaneGrant } => {
    const bed = this.config.beds.find((b) => b.id === bedId);
    if (bed?.infusion?.pump !== deviceId) return {};
    const key = `${bedId}/${deviceId}`;
    if (family === 'alaris-asena-gh') return { commandLaneGrant: (lane) => void this.lanes.set(key, { family, lane }) };
    return { registerLaneGrant: (lane) => void this.lanes.set(key, { family, lane }) };
  };

  /** Builds the control service over the created pump drivers; null when no bed has an infusion. */
  createService(devices: readonly RunningDevice[]): ControlService | null {
    const beds = this.config.beds.filter((b) => b.infusion);
    if (beds.length === 0) return null;
    const drugLibrary = loadDrugLibrary(this.config.drugLibrary);
    const pumps = beds.map((bed): ControlledPump => {
      const infusion = bed.infusion!;
      const key = `${bed.id}/${infusion.pump}`;
      const device = devices.find((d) => d.bedId === bed.id && d.deviceId === infusion.pump);
      const lane = this.lanes.get(key);
      const drug = findDrug(drugLibrary, infusion.drug);
      if (!device || !lane || !drug) throw new VigilError('INTERNAL', `pump ${key} could not be wired to the control module`, { key });
      const { readings$, localChanges$, executor } = this.familyParts(bed, device, lane);
      return {
        bedId: bed.id,
        deviceId: infusion.pump,
        label: bed.devices.find((d) => d.id === infusion.pump)?.label ?? infusion.pump,
        programme: {
          drugId: drug.id,
          drugName: drug.name,
          concentrationMgPerMl: infusion.concentrationMgPerMl,
          patientWeightKg: infusion.patientWeightKg,
          highAlert: drug.highAlert,
          dosingUnit: drug.dosingUnit,
        },
        readings$,
        localChanges$,
        executor,
      };
    });
    const { logger, clock } = this.deps;
    return new ControlService({
      pumps,
      drugLibrary,
      database: this.deps.database,
      audit: this.deps.audit,
      users: this.deps.users,
      sessions: this.deps.sessions,
      clock,
      orderTimeoutMs: this.config.control.orderTimeoutMs,
      logger: logger.child({ component: 'control' }),
    });
  }

  /** The family's read-only streams (from the driver) and its executor (holding the lane). */
  private familyParts(
    bed: BedConfig,
    device: RunningDevice,
    lane: Lane,
  ): { readings$: Observable<PumpReading>; localChanges$: Observable<PumpLocalChangeInput>; executor: PumpExecutor } {
    const { logger, clock } = this.deps;
    const log = logger.child({ component: 'executor', bed: bed.id, device: device.deviceId });
    const options = {
      commandTimeoutMs: this.config.control.commandTimeoutMs,
      readbackDeadlineMs: this.config.control.readbackDeadlineMs,
      rateToleranceMlPerHour: 0.01,
    };
    if (lane.family === 'alaris-asena-gh') {
      const driver = device.driver as unknown as { pumpState$: Observable<AsenaPumpState>; localChanges$: Observable<PumpLocalChange> };
      const readings$ = asenaReadings(driver.pumpState$);
      return { readings$, localChanges$: asenaLocalChanges(driver.localChanges$), executor: new AsenaExecutor(lane.lane, readings$, clock, log, options) };
    }
    const driver = device.driver as unknown as ModbusDriver;
    const pumpMap = (bed.devices.find((d) => d.id === device.deviceId)?.options as ModbusOptions | undefined)?.registerMap.pump;
    if (!pumpMap) throw new VigilError('INTERNAL', `Modbus device ${bed.id}/${device.deviceId} has no pump map`, {});
    const readings$ = modbusReadings(driver.pumpState$);
    return {
      readings$,
      localChanges$: modbusLocalChanges(driver.localChanges$),
      executor: new ModbusExecutor(lane.lane, pumpMap, readings$, clock, log, options),
    };
  }
}
