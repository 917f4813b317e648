#!/usr/bin/env python3
"""A third-party Modbus slave for Vigil's conformance test (test/conformance/pymodbus.test.ts).

pymodbus 3.0 (Debian python3-pymodbus; run with /usr/bin/python3) serves the registers given
as JSON over Modbus TCP on 127.0.0.1 and/or Modbus RTU on a serial device (one end of a socat
pty pair). With --corrupt-crc, every RTU reply pymodbus builds leaves with its last CRC byte
flipped: the frame is pymodbus's own, only the checksum is wrong.

Prints one line "READY tcp=<port> rtu=<device>" on stdout when serving, then runs until killed.
"""
import argparse
import asyncio
import json

from pymodbus.datastore import ModbusServerContext, ModbusSlaveContext, ModbusSparseDataBlock
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.server.async_io import ModbusSerialServer, ModbusTcpServer


class CorruptCrcRtuFramer(ModbusRtuFramer):
    """pymodbus's RTU framer, with the CRC of each outgoing frame spoiled."""

    def buildPacket(self, message):
        packet = bytearray(super().buildPacket(message))
        packet[-1] ^= 0x01
        return bytes(packet)


def block(spec):
    """{"100": [1, 2]} -> a sparse block holding 1 at address 100 and 2 at 101."""
    values = {}
    for start, registers in spec.items():
        for i, value in enumerate(registers):
            values[int(start) + i] = value
    return ModbusSparseDataBlock(values)


async def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registers", required=True, help='JSON: {"holding": {"100": [..]}, "input": {...}}')
    parser.add_argument("--unit", type=int, default=1)
    parser.add_argument("--tcp", type=int, help="TCP port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--rtu", help="serial device for Modbus RTU")
    parser.add_argument("--parity", default="N", choices=["N", "E", "O"],
                        help="serial parity (default N: a pseudo-terminal refuses parity settings)")
    parser.add_argument("--corrupt-crc", action="store_true")
    args = parser.parse_args()

    registers = json.loads(args.registers)
    # zero_mode: protocol address N is register N (pymodbus otherwise shifts by one).
    slave = ModbusSlaveContext(
        hr=block(registers.get("holding", {})), ir=block(registers.get("input", {})), zero_mode=True
    )
    context = ModbusServerContext(slaves={args.unit: slave}, single=False)

    ready = []
    tasks = []
    if args.tcp is not None:
        tcp = ModbusTcpServer(context, address=("127.0.0.1", args.tcp))
        tasks.append(asyncio.create_task(tcp.serve_forever()))
        await tcp.serving
        ready.append(f"tcp={tcp.server.sockets[0].getsockname()[1]}")
    if args.rtu:
        framer = CorruptCrcRtuFramer if args.corrupt_crc else ModbusRtuFramer
        rtu = ModbusSerialServer(
            context, framer=framer, port=args.rtu, baudrate=19200, bytesize=8, parity=args.parity, stopbits=1
        )
        await rtu.start()
        if rtu.transport is None:  # pymodbus logs the reason at debug level only
            raise SystemExit(f"pymodbus could not open {args.rtu}")
        ready.append(f"rtu={args.rtu}")
    print("READY " + " ".join(ready), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
