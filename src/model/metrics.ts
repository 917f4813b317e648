/**
 * The metrics Vigil knows, with their IEEE 11073-10101 (MDC) term codes and UCUM units.
 * Codes from ../shared/reference/alarms-and-standards.md. Where no standard code is
 * known to this project, the metric uses a code in the MDC private range of partition 2
 * (0xF000-0xFFBF, i.e. 2 * 65536 + 0xF000 = 258048 upwards) and `standard: false`,
 * so no receiving system mistakes it for a standard term.
 */
export interface MetricDefinition {
  /** Vigil's short id, used in configuration and the station API. */
  readonly id: MetricId;
  readonly label: string;
  /** MDC reference id, e.g. MDC_PULS_OXIM_SAT_O2. */
  readonly mdc: string;
  readonly code: number;
  /** UCUM unit, e.g. `%`, `/min`, `mm[Hg]`. */
  readonly unit: string;
  readonly unitMdc?: string;
  readonly unitCode?: number;
  readonly standard: boolean;
}

const PRIVATE_BASE = 2 * 65536 + 0xf000;

export const METRICS = {
  spo2: {
    id: 'spo2', label: 'SpO2', mdc: 'MDC_PULS_OXIM_SAT_O2', code: 150456, unit: '%',
    unitMdc: 'MDC_DIM_PERCENT', unitCode: 262688, standard: true,
  },
  'pulse-rate': {
    id: 'pulse-rate', label: 'Pulse rate', mdc: 'MDC_PULS_OXIM_PULS_RATE', code: 149530, unit: '/min',
    unitMdc: 'MDC_DIM_BEAT_PER_MIN', unitCode: 264864, standard: true,
  },
  'heart-rate': {
    id: 'heart-rate', label: 'Heart rate', mdc: 'MDC_ECG_HEART_RATE', code: 147842, unit: '/min',
    unitMdc: 'MDC_DIM_BEAT_PER_MIN', unitCode: 264864, standard: true,
  },
  'perfusion-index': {
    id: 'perfusion-index', label: 'Perfusion index', mdc: 'VIGIL_PULS_OXIM_PERF_INDEX', code: PRIVATE_BASE + 1,
    unit: '%', unitMdc: 'MDC_DIM_PERCENT', unitCode: 262688, standard: false,
  },
  spco: {
    id: 'spco', label: 'SpCO', mdc: 'VIGIL_PULS_OXIM_SAT_CO', code: PRIVATE_BASE + 2, unit: '%',
    unitMdc: 'MDC_DIM_PERCENT', unitCode: 262688, standard: false,
  },
  spmet: {
    id: 'spmet', label: 'SpMet', mdc: 'VIGIL_PULS_OXIM_SAT_MET', code: PRIVATE_BASE + 3, unit: '%',
    unitMdc: 'MDC_DIM_PERCENT', unitCode: 262688, standard: false,
  },
  pvi: {
    id: 'pvi', label: 'PVI', mdc: 'VIGIL_PULS_OXIM_PLETH_VAR_INDEX', code: PRIVATE_BASE + 4, unit: '%',
    unitMdc: 'MDC_DIM_PERCENT', unitCode: 262688, standard: false,
  },
  'nibp-sys': {
    id: 'nibp-sys', label: 'NIBP sys', mdc: 'MDC_PRESS_BLD_NONINV_SYS', code: 150021, unit: 'mm[Hg]',
    unitMdc: 'MDC_DIM_MMHG', unitCode: 266016, standard: true,
  },
  'nibp-dia': {
    id: 'nibp-dia', label: 'NIBP dia', mdc: 'MDC_PRESS_BLD_NONINV_DIA', code: 150022, unit: 'mm[Hg]',
    unitMdc: 'MDC_DIM_MMHG', unitCode: 266016, standard: true,
  },
  'nibp-mean': {
    id: 'nibp-mean', label: 'NIBP mean', mdc: 'MDC_PRESS_BLD_NONINV_MEAN', code: 150023, unit: 'mm[Hg]',
    unitMdc: 'MDC_DIM_MMHG', unitCode: 266016, standard: true,
  },
  'resp-rate': {
    id: 'resp-rate', label: 'Resp. rate', mdc: 'MDC_RESP_RATE', code: 151562, unit: '/min',
    unitMdc: 'MDC_DIM_RESP_PER_MIN', unitCode: 264928, standard: true,
  },
  'temp-body': {
    id: 'temp-body', label: 'Temperature', mdc: 'MDC_TEMP_BODY', code: 150364, unit: 'Cel',
    unitMdc: 'MDC_DIM_DEGC', unitCode: 268192, standard: true,
  },
  etco2: {
    id: 'etco2', label: 'EtCO2', mdc: 'MDC_AWAY_CO2_ET', code: 151708, unit: 'mm[Hg]',
    unitMdc: 'MDC_DIM_MMHG', unitCode: 266016, standard: true,
  },
  pleth: {
    id: 'pleth', label: 'Pleth', mdc: 'MDC_PULS_OXIM_PLETH', code: 150452, unit: '1',
    standard: true,
  },
  'pump-rate': {
    id: 'pump-rate', label: 'Pump rate', mdc: 'MDC_FLOW_FLUID_PUMP', code: 157784, unit: 'mL/h',
    unitMdc: 'MDC_DIM_MILLI_L_PER_HR', unitCode: 265266, standard: true,
  },
  'volume-infused': {
    id: 'volume-infused', label: 'Volume infused', mdc: 'MDC_VOL_FLUID_DELIV', code: 157864, unit: 'mL',
    unitMdc: 'MDC_DIM_MILLI_L', unitCode: 263762, standard: true,
  },
  'vtbi-remaining': {
    id: 'vtbi-remaining', label: 'VTBI remaining', mdc: 'MDC_VOL_FLUID_TBI_REMAIN', code: 157872, unit: 'mL',
    unitMdc: 'MDC_DIM_MILLI_L', unitCode: 263762, standard: true,
  },
  'pump-pressure': {
    id: 'pump-pressure', label: 'Pump line pressure', mdc: 'VIGIL_PUMP_LINE_PRESS', code: PRIVATE_BASE + 20,
    unit: 'mm[Hg]', unitMdc: 'MDC_DIM_MMHG', unitCode: 266016, standard: false,
  },
  'infusion-time-remaining': {
    id: 'infusion-time-remaining', label: 'Infusion time remaining', mdc: 'VIGIL_PUMP_TIME_REMAIN',
    code: PRIVATE_BASE + 21, unit: 's', standard: false,
  },
} as const satisfies Record<string, Omit<MetricDefinition, 'id'> & { id: string }>;

export type MetricId = keyof typeof METRICS;

export const METRIC_IDS = Object.keys(METRICS) as MetricId[];

export function metricDefinition(id: MetricId): MetricDefinition {
  return METRICS[id];
}
