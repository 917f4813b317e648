import { z } from 'zod';
import { describeError, isVigilError } from '../../src/core/errors.js';
import { loadRegisterMap } from './map-loader.js';
import type { RegisterMap } from './register-map.js';

/**
 * Options of the `modbus` driver (docs/protocols/modbus.md, "Options"). The map is loaded
 * and validated when the configuration is: an unknown or invalid map is a configuration error
 * at `options.map`, and the validated options carry the loaded map.
 */
const optionsInputSchema = z.strictObject({
  /** A map name (config/modbus-maps/<name>.yaml) or a path to a map file. */
  map: z.string().min(1),
  /** Unit id (slave address); default: the map's defaultUnitId. 0 is the RTU broadcast address: it gets no reply there. */
  unitId: z.number().int().min(0).max(247).optional(),
  /**
   * `rtu`: RTU frames with CRC, on a serial line or through a terminal server's raw TCP port.
   * `tcp`: Modbus TCP (MBAP header, usually port 502). The driver cannot see the transport: set it.
   */
  framing: z.enum(['rtu', 'tcp']).default('rtu'),
  /** How long to wait for the reply to one request. */
  timeoutMs: z.number().int().min(50).max(10_000).default(1000),
  /** Consecutive failed reads of one poll group that raise the MODBUS_ERRORS technical condition. */
  errorThreshold: z.number().int().min(1).max(100).default(3),
  /** No successful read for this long: data state 'silent' (communication lost). */
  communicationLostAfterMs: z.number().int().min(300).max(600_000).default(10_000),
});

export const modbusOptionsSchema = optionsInputSchema.transform((options, ctx) => {
  let loaded: { file: string; map: RegisterMap };
  try {
    loaded = loadRegisterMap(options.map);
  } catch (err) {
    ctx.addIssue({ code: 'custom', path: ['map'], message: isVigilError(err) ? err.message : describeError(err) });
    return z.NEVER;
  }
  const fastestMs = Math.min(...loaded.map.pollGroups.map((g) => g.periodMs));
  const floorMs = Math.max(3 * fastestMs, 2 * options.timeoutMs);
  if (options.communicationLostAfterMs < floorMs) {
    ctx.addIssue({
      code: 'custom',
      path: ['communicationLostAfterMs'],
      message: `must be at least ${floorMs} ms: 3 times the fastest poll period of map "${loaded.map.model}" (${fastestMs} ms) and 2 times timeoutMs`,
    });
    return z.NEVER;
  }
  return {
    ...options,
    unitId: options.unitId ?? loaded.map.defaultUnitId,
    /** The validated register map. */
    registerMap: loaded.map,
    /** The file it was loaded from. */
    mapFile: loaded.file,
  };
});

/** Validated options, defaults filled in and the map loaded. */
export type ModbusOptions = z.output<typeof modbusOptionsSchema>;
