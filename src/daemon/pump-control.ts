import type { Observable } from 'rxjs';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import { VigilError } from '../core/errors.js';
import type { VigilConfig } from '../config/schema.js';
import type { CommandLane, CommandLaneGrant } from '../device/command-lane.js';
import type { VigilDatabase } from '../store/database.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { UserStore } from '../users/user-store.js';
import type { SessionStore } from '../users/session-store.js';
import type { AsenaPumpState, PumpLocalChange } from '../../drivers/alaris-asena/asena-driver.js';
import { ControlService } from '../control/order-workflow.js';
import { findDrug, loadDrugLibrary } from '../config/drug-library.js';
import type { ControlledPump } from '../control/controlled-pump.js';
import { AsenaExecutor } from '../control/asena/asena-executor.js';
import { asenaLocalChanges, asenaReadings } from '../control/asena/asena-readings.js';
import type { RunningDevice } from './devices.js';

export interface PumpControlDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly database: VigilDatabase;
  readonly audit: AuditLog;
  readonly users: UserStore;
  readonly sessions: SessionStore;
}

/**
 * Wires each bed's infusion pump to the control module, and nothing else:
 * `laneGrantFor` hands a command-lane grant only for a bed's configured infusion pump,
 * and the lane goes straight into that pump's executor inside src/control/.
 */
export class PumpControlWiring {
  private readonly lanes = new Map<string, CommandLane>();

  constructor(
    private readonly config: VigilConfig,
    private readonly deps: PumpControlDeps,
  ) {}

  laneGrantFor = (bedId: string, deviceId: string): CommandLaneGrant | undefined => {
    const bed = this.config.beds.find((b) => b.id === bedId);
    if (bed?.infusion?.pump !== deviceId) return undefined;
    return (lane) => {
      this.lanes.set(`${bedId}/${deviceId}`, lane);
    };
  };

  /** Builds the control service over the created pump drivers; null when no bed has an infusion. */
  createService(devices: readonly RunningDevice[]): ControlService | null {
    const beds = this.config.beds.filter((b) => b.infusion);
    if (beds.length === 0) return null;
    const { logger, clock } = this.deps;
    const drugLibrary = loadDrugLibrary(this.config.drugLibrary);
    const pumps: ControlledPump[] = beds.map((bed) => {
      const infusion = bed.infusion!;
      const key = `${bed.id}/${infusion.pump}`;
      const device = devices.find((d) => d.bedId === bed.id && d.deviceId === infusion.pump);
      const lane = this.lanes.get(key);
      const drug = findDrug(drugLibrary, infusion.drug);
      if (!device || !lane || !drug || device.definition.programmablePump !== 'alaris-asena-gh') {
        throw new VigilError('INTERNAL', `pump ${key} could not be wired to the control module`, { key });
      }
      // The Asena driver's read-only streams (see drivers/alaris-asena/asena-driver.ts).
      const driver = device.driver as unknown as { pumpState$: Observable<AsenaPumpState>; localChanges$: Observable<PumpLocalChange> };
      const readings$ = asenaReadings(driver.pumpState$);
      const control = this.config.control;
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
        localChanges$: asenaLocalChanges(driver.localChanges$),
        executor: new AsenaExecutor(lane, readings$, clock, logger.child({ component: 'executor', bed: bed.id, device: infusion.pump }), {
          commandTimeoutMs: control.commandTimeoutMs,
          readbackDeadlineMs: control.readbackDeadlineMs,
          rateToleranceMlPerHour: 0.01,
        }),
      };
    });
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
}
