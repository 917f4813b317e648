import { describeError } from '../src/core/errors.js';
import { UsageError, type SimCliIo } from './cli/cli-support.js';
import { runSimEvent, runSimList } from './cli/sim-event-command.js';
import { runSimPatient } from './cli/sim-patient-command.js';
import { runSimRun } from './cli/sim-run-command.js';

export type { SimCliIo } from './cli/cli-support.js';

const HELP = `vigil sim - simulated bedside devices that speak the real byte protocols

Usage:
  vigil sim run --model radical-7 --tcp 4101 [...]   run a standalone simulator (vigil sim run --help)
  vigil sim list [--control URL]                      list simulated devices
  vigil sim patient <bed> [--control URL]             show a patient: vitals, ketamine Cp/Ce, pumps
  vigil sim event <bed> [<device>] <type> [...]       trigger a patient, device or pump event
                                                      (vigil sim event --help)`;

const defaultIo: SimCliIo = {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
};

/**
 * `vigil sim ...`: `argv` is what follows `sim`. Resolves to the exit code:
 * 0 success, 1 failure (e.g. control API unreachable or refusing), 2 usage error.
 */
export async function runSimCli(argv: string[], io: SimCliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runSimRun(rest, io);
      case 'list':
        return await runSimList(rest, io);
      case 'event':
        return await runSimEvent(rest, io);
      case 'patient':
        return await runSimPatient(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        (command === undefined ? io.err : io.out)(HELP);
        return command === undefined ? 2 : 0;
      default:
        io.err(`vigil sim: unknown command "${command}"\n\n${HELP}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`vigil sim ${command}: ${err.message}\n(vigil sim ${command} --help for usage)`);
      return 2;
    }
    io.err(`vigil sim ${command}: ${describeError(err)}`);
    return 1;
  }
}
