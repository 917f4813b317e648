import type { Observable } from 'rxjs';
import type { Clock } from '../../core/clock.js';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { RegisterLane } from '../../device/command-lane.js';
import type { PumpMap, WriteStep } from '../../../drivers/modbus/register-map.js';
import { isIssuedOrder, type ConfirmedOrder } from '../confirmed-order.js';
import type { PumpReading } from '../order-types.js';
import type { ExecutionFailureCode, ExecutionOutcome, ExecutionStep, PumpExecutor } from '../pump-executor.js';
import { latestReading, verifyByReadback } from '../pump-readback.js';
import { classifyLaneError } from './lane-errors.js';
import { encodeTarget } from './target-encoding.js';

export interface ModbusExecutorOptions {
  /** How long to wait for the device's reply to one register write. */
  readonly commandTimeoutMs: number;
  /** How long after the last write a fresh read-back must arrive. */
  readonly readbackDeadlineMs: number;
  /** Largest difference between ordered and read-back rate still counted as the same. */
  readonly rateToleranceMlPerHour: number;
}

export const DEFAULT_MODBUS_EXECUTOR_OPTIONS: ModbusExecutorOptions = {
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

/** One register write of a sequence, ready for the lane. */
interface PlannedWrite {
  readonly address: number;
  readonly words: readonly number[];
  readonly label: string;
}

/**
 * Programs a Modbus pump through the write-verify sequence its register map declares
 * (drivers/modbus/register-map.ts, `pump`; docs/safety.md rule 2): the `rateChange`
 * sequence (e.g. arm, setpoint, commit) or the `stop` sequence, each write sent once
 * through the pump's RegisterLane, then the first fresh reading taken after the writes
 * is compared with the order (rate within the tolerance, run state). A Modbus exception
 * reply is PUMP_REFUSED, silence NO_REPLY, link loss LINK_LOST; a write that fails ends
 * the sequence (nothing after it is sent, nothing is retried, nothing is undone: the
 * device's arm expires by itself).
 */
export class ModbusExecutor implements PumpExecutor {
  constructor(
    private readonly lane: RegisterLane,
    private readonly pump: PumpMap,
    private readonly readings$: Observable<PumpReading>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: ModbusExecutorOptions = DEFAULT_MODBUS_EXECUTOR_OPTIONS,
  ) {}

  async execute(order: ConfirmedOrder): Promise<ExecutionOutcome> {
    if (!isIssuedOrder(order)) throw new Error('ModbusExecutor: refusing an order the workflow did not issue');
    const steps: ExecutionStep[] = [];
    const log = this.logger.child({ order: order.id });
    try {
      // Plan every write before sending any, so a target the pump must not get sends nothing.
      const writes = this.plan(order);
      for (const write of writes) await this.send(write, steps);
    } catch (err) {
      const failure = err instanceof StepFailed ? err : new StepFailed('NO_REPLY', describeError(err));
      log.warn({ code: failure.code, reason: failure.message }, 'order not carried out');
      return { verified: false, code: failure.code, message: failure.message, readback: await this.latestReading(), steps };
    }
    return this.readBack(order, steps);
  }

  /** The writes of the order's sequence. Throws StepFailed PUMP_REFUSED for a target out of range or not representable. */
  private plan(order: ConfirmedOrder): PlannedWrite[] {
    if (order.kind === 'stop') return this.pump.stop.map((step) => this.planStep(step, null));
    const target = order.targetRateMlPerHour;
    if (target === null) throw new StepFailed('PUMP_REFUSED', 'rate-change order without a rate');
    const { min, max } = this.pump.rateRangeMlPerHour;
    if (!(target >= min && target <= max)) {
      throw new StepFailed('PUMP_REFUSED', `${target} mL/h is outside the pump's range ${min}-${max} mL/h; nothing was sent`);
    }
    return this.pump.rateChange.map((step) => this.planStep(step, target));
  }

  private planStep(step: WriteStep, target: number | null): PlannedWrite {
    if (step.op === 'write') {
      return { address: step.register, words: [step.value], label: step.label ?? `register ${step.register}` };
    }
    if (target === null) throw new StepFailed('PUMP_REFUSED', 'the stop sequence of the register map writes a target; nothing was sent');
    const encoded = encodeTarget(target, step.value);
    if (!encoded.ok) throw new StepFailed('PUMP_REFUSED', `${encoded.reason}; nothing was sent`);
    return { address: step.value.register, words: encoded.words, label: step.label ?? 'target' };
  }

  /** Sends one write once (function 6 for one word, 16 for several); throws StepFailed unless the device acknowledged it. */
  private async send(write: PlannedWrite, steps: ExecutionStep[]): Promise<void> {
    const fn = write.words.length === 1 ? 6 : 16;
    const command = `${write.label}: write ${write.words.join(' ')} to register ${write.address} (function ${fn})`;
    const at = this.clock.now();
    const options = { timeoutMs: this.options.commandTimeoutMs, description: `program ${command}` };
    try {
      if (fn === 6) await this.lane.writeRegister(write.address, write.words[0] as number, options);
      else await this.lane.writeRegisters(write.address, write.words, options);
    } catch (err) {
      const failure = classifyLaneError(err);
      steps.push({ at, command, reply: failure.reply, result: failure.result });
      const why =
        failure.code === 'PUMP_REFUSED'
          ? failure.reply === null ? `${command} was not sent: ${describeError(err)}` : `the pump refused ${command}: ${failure.reply}`
        : failure.code === 'LINK_LOST' ? `the link to the pump was lost sending ${command}`
        : `the pump did not answer ${command} within ${this.options.commandTimeoutMs} ms (${describeError(err)})`;
      throw new StepFailed(failure.code, why);
    }
    steps.push({ at, command, reply: 'acknowledged', result: 'accepted' });
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
