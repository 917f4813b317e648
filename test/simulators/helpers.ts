import type { Vitals } from '../../simulators/patient/vitals.js';
import type { VitalsSource } from '../../simulators/patient/virtual-patient.js';
import type { DeviceOutput } from '../../simulators/serve/device-output.js';

/** A patient whose vitals the test sets directly. */
export class FixedVitals implements VitalsSource {
  constructor(public vitals: Vitals = { spo2: 98, pulseRate: 72, perfusionIndex: 3.45 }) {}
  vitalsNow(): Vitals {
    return this.vitals;
  }
}

/** An output that records what the device wrote and the link state it was told. */
export class RecordingOutput implements DeviceOutput {
  readonly description = 'memory://recording';
  readonly chunks: Buffer[] = [];
  connected = true;
  async start(): Promise<{ port?: number }> {
    return {};
  }
  write(bytes: Buffer): void {
    if (this.connected) this.chunks.push(Buffer.from(bytes));
  }
  setConnected(connected: boolean): void {
    this.connected = connected;
  }
  setReceiver(): void {}
  detail(): string {
    return this.connected ? 'connected' : 'disconnected';
  }
  async stop(): Promise<void> {}
  text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }
  lines(): string[] {
    return this.text().split('\r\n').filter((l) => l !== '');
  }
}

/**
 * Field-by-field patterns written from device-protocols.md (Masimo section), independent
 * of the simulator's code: 17-char timestamp, zero-padded values, `-` when unavailable.
 */
const TS = String.raw`(?<ts>\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2})`;
const F = {
  SN: String.raw`SN=(?<SN>[0-9A-Za-z]{10})`,
  SPO2: String.raw`SPO2=(?<SPO2>\d{3}|---)%`,
  BPM: String.raw`BPM=(?<BPM>\d{3}|---)`,
  PI: String.raw`PI=(?<PI>\d{2}\.\d{2}|--\.--)%`,
  SPCO: String.raw`SPCO=(?<SPCO>\d{2}\.\d|--\.-)%`,
  SPMET: String.raw`SPMET=(?<SPMET>\d{2}\.\d|--\.-)%`,
  DESAT: String.raw`DESAT=(?<DESAT>\d{2}|--)`,
  PIDELTA: String.raw`PIDELTA=(?<PIDELTA>[+-]\d{2}|\+--)`,
  PVI: String.raw`PVI=(?<PVI>\d{3}|---)`,
  ALARM: String.raw`ALARM=(?<ALARM>[0-9A-F]{4})`,
  EXC: String.raw`EXC=(?<EXC>[0-9A-F]{6})`,
};
export const REFERENCE_LINE = {
  'radical-7': new RegExp(`^${TS} ${[F.SN, F.SPO2, F.BPM, F.PI, F.SPCO, F.SPMET, F.DESAT, F.PIDELTA, F.PVI, F.ALARM, F.EXC].join(' ')}\r\n$`),
  'rad-8': new RegExp(`^${TS} ${[F.SN, F.SPO2, F.BPM, F.PI, F.SPCO, F.SPMET, F.DESAT, F.PIDELTA, F.ALARM, F.EXC].join(' ')}\r\n$`),
  'radical-5': new RegExp(`^${TS} ${[F.SPO2, F.BPM, F.PI, F.ALARM, F.EXC].join(' ')}\r\n$`),
} as const;

/** Parses one line (CR LF included) with the reference pattern; throws if it does not match. */
export function parseReferenceLine(model: keyof typeof REFERENCE_LINE, line: string): Record<string, string> {
  const m = REFERENCE_LINE[model].exec(line);
  if (!m?.groups) throw new Error(`line does not match the ${model} format: ${JSON.stringify(line)}`);
  return { ...m.groups };
}

/** Waits for `predicate` over accumulated socket text, with a timeout. */
export function waitFor<T>(check: () => T | undefined, timeoutMs = 5000, what = 'condition'): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      const v = check();
      if (v !== undefined) return resolve(v);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}
