/**
 * The Vigil configuration of one bench run, validated by the daemon's own schema: one bed
 * per simulated bed, each an IV-ketamine session on the bench alarm profile with a Masimo
 * oximeter, an Asena pump under the control module (a ketamine programme) and, in the
 * waveform variant, a Nonin oximeter, all on raw TCP ports of 127.0.0.1 (like
 * terminal-server ports); the database in the run's own file; no simulators.
 */
import { buildConfigSchema, type VigilConfig } from '../src/config/schema.js';
import { CONFIG_INPUTS } from '../src/config/vigil-config.js';
import { defaultDrugLibraryPath } from '../src/config/drug-library.js';
import type { LogLevel } from '../src/core/logger.js';

/** The TCP ports of one bed's simulated devices. */
export interface BenchBedPorts {
  readonly masimoPort: number;
  readonly asenaPort: number;
  /** The Nonin's port, or null when the bed has no waveform device. */
  readonly noninPort: number | null;
}

/** Device ids of every bench bed. */
export const BENCH_DEVICES = { oximeter: 'oximeter', pump: 'pump', pleth: 'pleth' } as const;

/** Bed id of the bed at `index` (0-based). */
export function benchBedId(index: number): string {
  return `bed-${index + 1}`;
}

/** Index of a bench bed id, or -1. */
export function benchBedIndex(bedId: string): number {
  if (!bedId.startsWith('bed-')) return -1;
  const n = Number(bedId.slice(4));
  return Number.isInteger(n) && n >= 1 ? n - 1 : -1;
}

export interface BenchConfigOptions {
  /** Path of the bench alarm profile file (bench-profile.ts). */
  readonly profilePath: string;
  /** The Asena driver's poll interval (the workload: 2000 ms). */
  readonly pumpPollMs: number;
  readonly logLevel: LogLevel;
  /** The SQLite file of the run (audit log, users, orders). */
  readonly databasePath: string;
}

/**
 * The configuration for `beds`. With no beds (the baseline), a one-bed configuration is
 * validated and its bed list then emptied: the schema asks for at least one bed.
 */
export function benchVigilConfig(beds: readonly BenchBedPorts[], options: BenchConfigOptions): VigilConfig {
  const tcp = (port: number) => `tcp://127.0.0.1:${port}`;
  const raw = (list: readonly BenchBedPorts[]) => ({
    station: { host: '127.0.0.1', port: 0 },
    logging: { level: options.logLevel },
    storage: { databasePath: options.databasePath },
    simulation: { enabled: false },
    demoUsers: false,
    drugLibrary: defaultDrugLibraryPath(),
    beds: list.map((ports, i) => ({
      id: benchBedId(i),
      label: `Bench ${i + 1}`,
      session: 'iv-ketamine',
      alarms: { profile: options.profilePath },
      // A ketamine programme, as a clinic's IV bed has: the pump is wired to the control module.
      infusion: { pump: BENCH_DEVICES.pump, drug: 'ketamine', concentrationMgPerMl: 10, patientWeightKg: 70 },
      devices: [
        { id: BENCH_DEVICES.oximeter, driver: 'masimo-ascii', transport: tcp(ports.masimoPort) },
        { id: BENCH_DEVICES.pump, driver: 'alaris-asena-gh', transport: tcp(ports.asenaPort), options: { pollIntervalMs: options.pumpPollMs } },
        ...(ports.noninPort === null ? [] : [{ id: BENCH_DEVICES.pleth, driver: 'nonin', transport: tcp(ports.noninPort), options: { format: 7 } }]),
      ],
    })),
  });
  const schema = buildConfigSchema(CONFIG_INPUTS);
  if (beds.length > 0) return schema.parse(raw(beds));
  const oneBed = schema.parse(raw([{ masimoPort: 1, asenaPort: 2, noninPort: null }]));
  return { ...oneBed, beds: [] };
}
