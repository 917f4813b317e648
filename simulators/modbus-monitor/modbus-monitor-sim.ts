import type { Clock } from '../../src/core/clock.js';
import type { Logger } from '../../src/core/logger.js';
import { DEFAULT_GARBAGE_BYTES, type DeviceEvent } from '../device/device-events.js';
import { MODBUS_EXCEPTION, type ModbusExceptionCode } from '../modbus/modbus-exceptions.js';
import { ModbusRtuSlave } from '../modbus/modbus-rtu-slave.js';
import { ModbusSlave } from '../modbus/modbus-slave.js';
import { ModbusTcpServer } from '../modbus/modbus-tcp-server.js';
import { RegisterBank } from '../modbus/register-bank.js';
import { createRandom } from '../patient/seeded-random.js';
import type { VitalsSource } from '../patient/virtual-patient.js';
import type { DeviceOutput } from '../serve/device-output.js';
import type { SimulatedListen } from '../sim-specs.js';
import type { MonitorOwnEvent } from './monitor-events.js';
import {
  MONITOR_HOLDING,
  MONITOR_HOLDING_COUNT,
  MONITOR_INPUT_COUNT,
  MONITOR_STATUS_BIT,
  writeMonitorReading,
  writeNibpReading,
  type NibpReading,
} from './monitor-registers.js';
import { DEFAULT_NIBP_INTERVAL_SECONDS, NIBP_INTERVAL_LIMITS_SECONDS, NibpCycle } from './nibp-cycle.js';

/** An event the simulated monitor accepts. */
export type MonitorEvent = MonitorOwnEvent | DeviceEvent;

/** Faults the monitor can show; `silent`, `corrupt-crc` and `disconnected` act on the link. */
export type MonitorFault = 'sensor-off' | 'leads-off' | 'cuff-error' | 'co2-occlusion' | 'silent' | 'corrupt-crc' | 'disconnected';

/** What the monitor's link does: answering, silent, corrupt-crc or disconnected. */
export type MonitorLinkMode = 'answering' | 'silent' | 'corrupt-crc' | 'disconnected';

export interface ModbusMonitorSimOptions {
  readonly patient: VitalsSource;
  /** Real time: NIBP cycle, measurement times (Unix seconds), timed faults. */
  readonly clock: Clock;
  readonly logger: Logger;
  /** Seed of the garbage-byte generator. */
  readonly seed: number;
  /** Slave address, default 1. */
  readonly unitId?: number;
  /** Automatic NIBP interval, seconds; 0 = manual only; default 300. */
  readonly nibpIntervalSeconds?: number;
  /** Take an NIBP measurement at start (default true). */
  readonly measureNibpAtStart?: boolean;
}

/** How often the device updates its registers on its own (NIBP cycle, timed faults), real ms. */
export const MONITOR_TICK_MS = 1000;

const NO_NIBP: NibpReading = { sysMmHg: null, diaMmHg: null, meanMmHg: null, measuredAtSeconds: 0, nextInSeconds: null };
const LINK_FAULTS: readonly MonitorFault[] = ['disconnected', 'silent', 'corrupt-crc'];

/**
 * Vigil's reference Modbus multi-parameter monitor (docs/protocols/reference-monitor.md):
 * HR, SpO2, pulse rate, RR, temperature, EtCO2, perfusion index from its bed's virtual
 * patient, refreshed before every request; NIBP on its cycle and on demand, holding the
 * last measurement and its time between cycles; technical status bits. Served by any
 * number of Modbus TCP servers and RTU slaves (attach), all on one register bank.
 */
export class ModbusMonitorSim {
  readonly bank = new RegisterBank({ holdingCount: MONITOR_HOLDING_COUNT, inputCount: MONITOR_INPUT_COUNT });
  readonly slave: ModbusSlave;
  private readonly nibp: NibpCycle;
  private readonly outputs: DeviceOutput[] = [];
  /** Active faults and when each ends (real monotonic ms; null = until resume). */
  private readonly faults = new Map<MonitorFault, number | null>();
  private readonly random: () => number;
  private lastNibp: NibpReading = NO_NIBP;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: ModbusMonitorSimOptions) {
    this.random = createRandom(o.seed);
    this.slave = new ModbusSlave({ unitId: o.unitId ?? 1, bank: this.bank, logger: o.logger, beforeRequest: () => this.refresh() });
    const interval = o.nibpIntervalSeconds ?? DEFAULT_NIBP_INTERVAL_SECONDS;
    if (!validInterval(interval)) throw new RangeError(`NIBP interval ${interval} s is not 0 or ${NIBP_INTERVAL_LIMITS_SECONDS.min}-${NIBP_INTERVAL_LIMITS_SECONDS.max}`);
    this.nibp = new NibpCycle(o.clock, interval, o.measureNibpAtStart ?? true);
    this.bank.set('holding', MONITOR_HOLDING.nibpIntervalSeconds, interval);
    this.bank.onHoldingWrite({
      check: (address, values) => this.checkSettings(address, values),
      written: (address, values) => this.applySettings(address, values),
    });
    this.refresh();
  }

  /** Serves the slave on `listen`: TCP = Modbus TCP, serial = Modbus RTU (8E1). Not started. */
  createOutput(listen: SimulatedListen, deps: { logger: Logger; reopenDelayMs?: number }): DeviceOutput {
    if (listen.kind === 'tcp') return new ModbusTcpServer({ slave: this.slave, host: listen.host, port: listen.port, logger: deps.logger });
    return new ModbusRtuSlave({
      slave: this.slave, path: listen.path, baudRate: listen.baudRate, logger: deps.logger, reopenDelayMs: deps.reopenDelayMs,
    });
  }

  /** Adds a link serving this monitor (a ModbusTcpServer or ModbusRtuSlave on `slave`). */
  attach(output: DeviceOutput): void {
    this.outputs.push(output);
    output.setConnected(!this.faults.has('disconnected'));
  }

  /** Starts the device's own 1 s update (NIBP cycle even when nobody polls). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.refresh();
      } catch (err) {
        // A simulator bug must not take the host (possibly the daemon) down.
        this.o.logger.error({ err }, 'monitor tick failed');
      }
    }, MONITOR_TICK_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Brings the registers up to date: expired faults end, a due NIBP is measured, vitals are copied. */
  refresh(): void {
    this.expire();
    if (this.nibp.takeDue()) this.measureNibp();
    const v = this.o.patient.vitalsNow();
    const on = (fault: MonitorFault): boolean => this.faults.has(fault);
    let status = 0;
    if (on('sensor-off')) status |= 1 << MONITOR_STATUS_BIT.spo2SensorOff;
    if (on('leads-off')) status |= 1 << MONITOR_STATUS_BIT.ecgLeadsOff;
    if (on('cuff-error')) status |= 1 << MONITOR_STATUS_BIT.nibpCuffError;
    if (on('co2-occlusion')) status |= 1 << MONITOR_STATUS_BIT.co2LineOccluded;
    const oximetry = !on('sensor-off');
    const co2 = !on('co2-occlusion');
    writeMonitorReading(this.bank, {
      statusBits: status,
      heartRate: on('leads-off') ? null : v.pulseRate,
      spo2: oximetry ? v.spo2 : null,
      pulseRate: oximetry ? v.pulseRate : null,
      perfusionIndex: oximetry ? v.perfusionIndex : null,
      respRate: co2 ? (v.respRate ?? null) : null,
      etco2MmHg: co2 ? (v.etco2MmHg ?? null) : null,
      temperatureC: v.temperatureC ?? null,
    });
    writeNibpReading(this.bank, { ...this.lastNibp, nextInSeconds: this.nibp.nextInSeconds() });
  }

  /** Applies an event (see monitor-events.ts and device-events.ts). */
  handle(event: MonitorEvent): void {
    this.o.logger.info({ event }, 'monitor event');
    this.expire();
    switch (event.type) {
      case 'nibp-measure':
        this.nibp.requestNow();
        break;
      case 'sensor-off':
      case 'leads-off':
      case 'cuff-error':
      case 'co2-occlusion':
      case 'corrupt-crc':
        this.setFault(event.type, event.seconds);
        break;
      case 'silence':
        this.setFault('silent', event.seconds);
        break;
      case 'disconnect':
        this.setFault('disconnected', event.seconds);
        break;
      case 'resume':
        this.faults.clear();
        break;
      case 'garbage':
        this.writeGarbage(event.bytes ?? DEFAULT_GARBAGE_BYTES);
        break;
    }
    this.applyLink();
    this.refresh();
  }

  /** The link mode and the whole seconds left of the earliest timed fault. */
  mode(): { mode: MonitorLinkMode; secondsLeft: number | null } {
    this.expire();
    const ends = [...this.faults.values()].filter((t): t is number => t !== null);
    const secondsLeft = ends.length ? Math.ceil((Math.min(...ends) - this.o.clock.monotonic()) / 1000) : null;
    const mode: MonitorLinkMode = this.faults.has('disconnected')
      ? 'disconnected'
      : this.faults.has('silent') ? 'silent' : this.faults.has('corrupt-crc') ? 'corrupt-crc' : 'answering';
    return { mode, secondsLeft };
  }

  /** Active faults, e.g. `['sensor-off', 'silent']`. */
  activeFaults(): MonitorFault[] {
    this.expire();
    return [...this.faults.keys()];
  }

  /** One line for listings: unit, NIBP mode and last measurement, active sensor faults, request counts. */
  describe(): string {
    const interval = this.nibp.intervalSeconds;
    const n = this.lastNibp;
    const last = n.measuredAtSeconds === 0
      ? 'none yet'
      : `${n.sysMmHg ?? '---'}/${n.diaMmHg ?? '---'} (${n.meanMmHg ?? '---'}) at ${new Date(n.measuredAtSeconds * 1000).toISOString()}`;
    const sensors = this.activeFaults().filter((f) => !LINK_FAULTS.includes(f));
    const c = this.slave.counters();
    const counts = `${c.requests} requests, ${c.exceptions} exceptions, ${c.rejectedFrames} rejected frames`;
    return [`unit ${this.slave.unitId}`, `NIBP ${interval === 0 ? 'manual' : `every ${interval} s`}, last ${last}`, ...sensors, counts].join('; ');
  }

  private measureNibp(): void {
    const measuredAtSeconds = Math.floor(this.o.clock.now() / 1000);
    if (this.faults.has('cuff-error')) {
      this.lastNibp = { ...NO_NIBP, measuredAtSeconds };
      this.o.logger.info('NIBP measurement failed (cuff error)');
      return;
    }
    const v = this.o.patient.vitalsNow();
    // Whole mm[Hg], as the device displays them; the mean from the rounded pressures.
    const sys = v.nibpSysMmHg === undefined ? null : Math.round(v.nibpSysMmHg);
    const dia = v.nibpDiaMmHg === undefined ? null : Math.round(v.nibpDiaMmHg);
    const mean = sys === null || dia === null ? null : Math.round(dia + (sys - dia) / 3);
    this.lastNibp = { sysMmHg: sys, diaMmHg: dia, meanMmHg: mean, measuredAtSeconds, nextInSeconds: null };
    this.o.logger.info({ sys, dia }, 'NIBP measured');
  }

  /** Holding writes: the interval must be 0 or 60-43200 s, the start register 0 or 1 (else exception 03). */
  private checkSettings(address: number, values: readonly number[]): ModbusExceptionCode | null {
    for (let i = 0; i < values.length; i++) {
      const value = values[i] as number;
      if (address + i === MONITOR_HOLDING.nibpIntervalSeconds && !validInterval(value)) return MODBUS_EXCEPTION.illegalDataValue;
      if (address + i === MONITOR_HOLDING.nibpStart && value !== 0 && value !== 1) return MODBUS_EXCEPTION.illegalDataValue;
    }
    return null;
  }

  private applySettings(address: number, values: readonly number[]): void {
    values.forEach((value, i) => {
      if (address + i === MONITOR_HOLDING.nibpIntervalSeconds) this.nibp.setIntervalSeconds(value);
      if (address + i === MONITOR_HOLDING.nibpStart && value === 1) this.nibp.requestNow();
    });
    // The start register reads 0 again; the measurement is taken before the next request is answered.
    this.bank.set('holding', MONITOR_HOLDING.nibpStart, 0);
  }

  private setFault(fault: MonitorFault, seconds: number | undefined): void {
    this.faults.set(fault, seconds === undefined ? null : this.o.clock.monotonic() + seconds * 1000);
  }

  private expire(): void {
    const now = this.o.clock.monotonic();
    let changed = false;
    for (const [fault, until] of this.faults) {
      if (until !== null && now >= until) {
        this.faults.delete(fault);
        changed = true;
      }
    }
    if (changed) this.applyLink();
  }

  /** Puts the link faults into effect on the slave and the outputs. */
  private applyLink(): void {
    this.slave.setReplyFault(this.faults.has('silent') ? 'silent' : this.faults.has('corrupt-crc') ? 'corrupt' : 'none');
    const connected = !this.faults.has('disconnected');
    for (const out of this.outputs) out.setConnected(connected);
  }

  private writeGarbage(count: number): void {
    if (this.faults.has('disconnected') || this.faults.has('silent')) return;
    const bytes = Buffer.alloc(count);
    for (let i = 0; i < count; i++) bytes[i] = Math.floor(this.random() * 256);
    for (const out of this.outputs) out.write(bytes);
  }
}

function validInterval(seconds: number): boolean {
  return seconds === 0 || (Number.isInteger(seconds) && seconds >= NIBP_INTERVAL_LIMITS_SECONDS.min && seconds <= NIBP_INTERVAL_LIMITS_SECONDS.max);
}
