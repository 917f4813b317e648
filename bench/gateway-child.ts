/**
 * Entry point of the gateway process of the benchmark (forked by gateway-host.ts): builds
 * the gateway on `start`, answers `open`, `begin`, `end`, and on `stop` stops it and exits.
 */
import { describeError } from '../src/core/errors.js';
import { startBenchGateway, type BenchGateway } from './gateway-under-test.js';
import type { GatewayReply, GatewayRequest } from './gateway-host.js';

let gateway: BenchGateway | null = null;

function reply(message: GatewayReply, then?: () => void): void {
  process.send?.(message, undefined, {}, () => then?.());
}

async function handle(request: GatewayRequest): Promise<unknown> {
  if (request.op === 'start') {
    if (gateway) throw new Error('already started');
    gateway = await startBenchGateway(request.spec);
    return { stationUrl: gateway.stationUrl, deviceCount: gateway.deviceCount };
  }
  if (!gateway) throw new Error('not started');
  switch (request.op) {
    case 'open':
      return gateway.openTransports();
    case 'begin':
      await gateway.beginWindow();
      return null;
    case 'end':
      return gateway.endWindow();
    case 'stop':
      await gateway.stop();
      gateway = null;
      return null;
  }
}

process.on('message', (raw) => {
  const request = raw as GatewayRequest;
  handle(request).then(
    (result) => reply({ id: request.id, ok: true, result }, request.op === 'stop' ? () => process.exit(0) : undefined),
    (err: unknown) => reply({ id: request.id, ok: false, error: String(describeError(err)) }),
  );
});
process.on('disconnect', () => process.exit(0));
