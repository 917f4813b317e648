import { z } from 'zod';

/**
 * Events of the simulated Modbus monitor, besides the device events it shares with the
 * oximeters (`sensor-off` = SpO2 sensor off, `silence`, `garbage`, `disconnect`, `resume`).
 * `seconds` is real (wall-clock) time; absent = until `resume`.
 */
const seconds = z.number().positive().max(86_400).optional();

/** Start an NIBP measurement now (the automatic cycle keeps its schedule). */
export const nibpMeasureEventSchema = z.strictObject({ type: z.literal('nibp-measure') });
/** ECG leads off: heart rate unavailable, status bit 1. */
export const leadsOffEventSchema = z.strictObject({ type: z.literal('leads-off'), seconds });
/** NIBP cuff error: status bit 2; every measurement attempted meanwhile fails (values "no value"). */
export const cuffErrorEventSchema = z.strictObject({ type: z.literal('cuff-error'), seconds });
/** CO2 sampling line occluded: EtCO2 and respiration rate unavailable, status bit 3. */
export const co2OcclusionEventSchema = z.strictObject({ type: z.literal('co2-occlusion'), seconds });
/** Replies carry a wrong CRC (RTU) or a damaged header (TCP); requests still act. */
export const corruptCrcEventSchema = z.strictObject({ type: z.literal('corrupt-crc'), seconds });

export const MONITOR_EVENT_SCHEMAS = [
  nibpMeasureEventSchema,
  leadsOffEventSchema,
  cuffErrorEventSchema,
  co2OcclusionEventSchema,
  corruptCrcEventSchema,
] as const;

export type MonitorOwnEvent =
  | z.infer<typeof nibpMeasureEventSchema>
  | z.infer<typeof leadsOffEventSchema>
  | z.infer<typeof cuffErrorEventSchema>
  | z.infer<typeof co2OcclusionEventSchema>
  | z.infer<typeof corruptCrcEventSchema>;

export const MONITOR_EVENT_TYPES = ['nibp-measure', 'leads-off', 'cuff-error', 'co2-occlusion', 'corrupt-crc'] as const;
