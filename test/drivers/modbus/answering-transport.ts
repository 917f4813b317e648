import { MemoryTransport } from '../../../src/transport/memory-transport.js';

/**
 * A MemoryTransport whose far end answers: each write is handed to `answer`, and what it
 * returns (one chunk, several chunks, or nothing) is injected a microtask later, as a device
 * on a real line would answer after the request left.
 */
export class AnsweringTransport extends MemoryTransport {
  answer: (request: Buffer) => Buffer | readonly Buffer[] | null = () => null;

  constructor() {
    super('memory://modbus', () => Date.now());
  }

  override async write(bytes: Uint8Array): Promise<void> {
    await super.write(bytes);
    const reply = this.answer(Buffer.from(bytes));
    if (!reply) return;
    const chunks = Buffer.isBuffer(reply) ? [reply] : (reply as readonly Buffer[]);
    queueMicrotask(() => {
      for (const chunk of chunks) if (this.state === 'open') this.inject(chunk);
    });
  }
}
