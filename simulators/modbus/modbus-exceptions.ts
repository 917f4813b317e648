/**
 * Modbus exception codes a simulated slave answers with (Modbus Application Protocol
 * v1.1b3, section 7). The exception response is the function code with bit 7 set,
 * then this code.
 */
export const MODBUS_EXCEPTION = {
  /** 01: the function code is not supported. */
  illegalFunction: 0x01,
  /** 02: a register of the request is outside the table. */
  illegalDataAddress: 0x02,
  /** 03: a value of the request is malformed (quantity, byte count, length). */
  illegalDataValue: 0x03,
  /** 04: the device could not perform the action (e.g. a pump refusing a write). */
  serverDeviceFailure: 0x04,
  /** 0B: a Modbus TCP request for a unit id this server does not serve. */
  gatewayTargetFailed: 0x0b,
} as const;

export type ModbusExceptionCode = (typeof MODBUS_EXCEPTION)[keyof typeof MODBUS_EXCEPTION];

/** Function codes the simulated slaves serve. */
export const MODBUS_FUNCTION = {
  readHoldingRegisters: 0x03,
  readInputRegisters: 0x04,
  writeSingleRegister: 0x06,
  writeMultipleRegisters: 0x10,
} as const;

/** The exception response PDU for `functionCode`. */
export function exceptionPdu(functionCode: number, code: ModbusExceptionCode): Buffer {
  return Buffer.from([(functionCode | 0x80) & 0xff, code]);
}
