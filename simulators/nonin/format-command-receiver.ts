import type { DeviceReceiver } from '../serve/device-output.js';
import type { SimNoninFormat } from './nonin-wire.js';

/**
 * The simulated oximeter's command input (device-protocols.md, "Nonin pulse oximeters"):
 * `STX(0x02) opcode len data... ETX(0x03)`. It knows "set data format" (opcode 0x70,
 * data `[0x02, format]`) for formats 2 and 7 and answers ACK 0x06; any other complete
 * command gets NAK 0x15. Bytes before an STX are ignored.
 */
const STX = 0x02;
const ETX = 0x03;
const ACK = Buffer.from([0x06]);
const NAK = Buffer.from([0x15]);
const SET_DATA_FORMAT = 0x70;
/** Longest command accepted (STX, opcode, len, up to 16 data bytes, ETX). */
const MAX_COMMAND_BYTES = 19;

export class FormatCommandReceiver implements DeviceReceiver {
  private buffer: number[] = [];

  constructor(private readonly onSetFormat: (format: SimNoninFormat) => void) {}

  receive(bytes: Buffer, reply: (bytes: Buffer) => void): void {
    for (const byte of bytes) {
      if (this.buffer.length === 0 && byte !== STX) continue;
      this.buffer.push(byte);
      const length = this.buffer[2];
      if (length === undefined) continue;
      const total = 3 + length + 1;
      if (total > MAX_COMMAND_BYTES) {
        this.buffer = [];
        reply(NAK);
        continue;
      }
      if (this.buffer.length < total) continue;
      const command = this.buffer;
      this.buffer = [];
      reply(this.execute(command) ? ACK : NAK);
    }
  }

  linkReset(): void {
    this.buffer = [];
  }

  private execute(command: number[]): boolean {
    const [, opcode, length, sub, format] = command;
    if (command.at(-1) !== ETX || opcode !== SET_DATA_FORMAT || length !== 2 || sub !== 0x02) return false;
    if (format !== 2 && format !== 7) return false;
    this.onSetFormat(format);
    return true;
  }
}
