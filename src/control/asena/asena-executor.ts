import type { Observable } from 'rxjs';
import type { Clock } from '../../core/clock.js';
import { describeError, isVigilError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { CommandLane } from '../../device/command-lane.js';
import {
  checkProgrammingReply,
  programmingCommandBody,
  type ProgrammingCommand,
} from '../../../drivers/alaris-asena/programming-commands.js';
import { isIssuedOrder, type ConfirmedOrder } from '../confirmed-order.js';
import type { PumpReading } from '../order-types.js';
import type { ExecutionFailureCode, ExecutionOutcome, ExecutionStep, PumpExecutor } from '../pump-executor.js';
import { latestReading, verifyByReadback } from '../pump-readback.js';

export interface AsenaExecutorOptions {
  /** How long to wait for the pump's reply to one programming command. */
  readonly commandTimeoutMs: number;
  /** How long after the last command a fresh read-back must arrive. */
  readonly readbackDeadlineMs: number;
  /** Largest difference between ordered and read-back rate still counted as the same. */
  readonly rateToleranceMlPerHour: number;
}

export const DEFAULT_ASENA_EXECUTOR_OPTIONS: AsenaExecutorOptions = {
  commandTimeoutMs: 2000,
  readbackDeadlineMs: 10_000,
  rateToleranceMlPerHour: 0.01,
};

class StepFailed extends Error {
  constructor(
    readonly code: ExecutionFailureCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Programs an Alaris Asena GH through its own command interface (device-protocols.md,
 * Asena GH): enable remote control with the code derived from its serial number, set the
 * rate (or stop), disable remote control, then wait for a fresh status poll and compare.
 * Each command is sent once. Any refusal, silence, link loss or read-back difference is a
 * failure reported to the workflow, which raises the alarm; nothing is retried.
 */
export class AsenaExecutor implements PumpExecutor {
  constructor(
    private readonly lane: CommandLane,
    private readonly readings$: Observable<PumpReading>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: AsenaExecutorOptions = DEFAULT_ASENA_EXECUTOR_OPTIONS,
  ) {}

  async execute(order: ConfirmedOrder): Promise<ExecutionOutcome> {
    if (!isIssuedOrder(order)) throw new Error('AsenaExecutor: refusing an order the workflow did not issue');
    const steps: ExecutionStep[] = [];
    const log = this.logger.child({ order: order.id });
    const serial = order.pumpAtRequest.serial;
    try {
      if (!serial) throw new StepFailed('PUMP_REFUSED', 'the pump serial number is unknown, so remote control cannot be enabled');
      await this.send({ kind: 'remote-enable', serial }, steps);
      try {
        if (order.kind === 'rate-change') {
          if (order.targetRateMlPerHour === null) throw new StepFailed('PUMP_REFUSED', 'rate-change order without a rate');
          await this.send({ kind: 'set-rate', rateMlPerHour: order.targetRateMlPerHour }, steps);
        } else {
          await this.send({ kind: 'stop' }, steps);
        }
      } finally {
        // Close remote control whatever happened; its failure is recorded, not retried.
        await this.send({ kind: 'remote-disable' }, steps).catch((err: unknown) => log.warn({ err: describeError(err) }, 'remote-disable failed'));
      }
    } catch (err) {
      const failure = err instanceof StepFailed ? err : new StepFailed('NO_REPLY', describeError(err));
      return { verified: false, code: failure.code, message: failure.message, readback: await this.latestReading(), steps };
    }
    return this.readBack(order, steps);
  }

  /** Sends one command once and checks its reply; throws StepFailed on anything but acceptance. */
  private async send(command: ProgrammingCommand, steps: ExecutionStep[]): Promise<void> {
    const body = programmingCommandBody(command);
    const at = this.clock.now();
    let reply: string;
    try {
      reply = await this.lane.request(body, { timeoutMs: this.options.commandTimeoutMs, description: `program ${body}` });
    } catch (err) {
      const lost = isVigilError(err, 'COMMAND_ABORTED') || isVigilError(err, 'TRANSPORT_NOT_OPEN');
      steps.push({ at, command: body, reply: null, result: lost ? 'failed' : 'no-reply' });
      throw new StepFailed(
        lost ? 'LINK_LOST' : 'NO_REPLY',
        lost ? `the link to the pump was lost sending ${body}` : `the pump did not answer ${body} within ${this.options.commandTimeoutMs} ms`,
      );
    }
    const check = checkProgrammingReply(command, reply);
    steps.push({ at, command: body, reply, result: check.outcome === 'accepted' ? 'accepted' : 'refused' });
    if (check.outcome !== 'accepted') throw new StepFailed('PUMP_REFUSED', `the pump did not accept ${body}: ${check.reason}`);
  }

  /** Waits for the first fresh reading taken after the commands, then compares it with the order. */
  private readBack(order: ConfirmedOrder, steps: ExecutionStep[]): Promise<ExecutionOutcome> {
    return verifyByReadback(order, steps, {
      readings$: this.readings$,
      after: this.clock.now(),
      deadlineMs: this.options.readbackDeadlineMs,
      rateToleranceMlPerHour: this.options.rateToleranceMlPerHour,
    });
  }

  private latestReading(): Promise<PumpReading | null> {
    return latestReading(this.readings$);
  }
}
