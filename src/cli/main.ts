import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/package-root.js';
import { runStartCommand } from './start-command.js';
import { runCheckConfigCommand } from './check-config-command.js';
import { runSimCli } from '../../simulators/sim-cli.js';
import { runUsersCommand } from './users-command.js';
import { runAuditCommand } from './audit-command.js';
import { readPasswordLine } from './read-password.js';
import { defaultConfigPath, loadVigilConfig } from '../config/vigil-config.js';
import type { CliIo } from './cli-io.js';

const HELP = `vigil - bedside gateway for infusion pumps and vital-signs monitors

Usage:
  vigil start [--config FILE]        run the daemon (default: VIGIL_CONFIG or the
                                     embedded config/default.yaml with simulators)
  vigil check-config FILE [FILE...]  validate configuration files; non-zero exit on error
  vigil sim <command>                run simulators and trigger simulated events
                                     (vigil sim --help)
  vigil users add|list|disable ...   manage the station's users (vigil users --help)
  vigil audit verify|tail            check the tamper-evident audit log
    users and audit take [--db FILE] or [--config FILE] (its storage.databasePath)
  vigil --version | --help

Docs: README.md, docs/architecture.md, docs/configuration.md`;

const io: CliIo = { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return runStartCommand(rest, io);
    case 'check-config':
      return runCheckConfigCommand(rest, io);
    case 'sim':
      return runSimCli(rest, io);
    case 'users':
      return runUsersCommand(withoutStorageOptions(rest), { ...io, readPassword: () => readPasswordLine() }, databasePath(rest));
    case 'audit':
      return runAuditCommand(withoutStorageOptions(rest), io, databasePath(rest));
    case '--version':
    case '-v': {
      const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
      io.out(pkg.version);
      return 0;
    }
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      io.out(HELP);
      return command === undefined ? 2 : 0;
    default:
      io.err(`vigil: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

/** The value of `--name VALUE` or `--name=VALUE` in argv. */
function optionValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

function withoutStorageOptions(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--db' || a === '--config') i++;
    else if (!a.startsWith('--db=') && !a.startsWith('--config=')) out.push(a);
  }
  return out;
}

/** `--db FILE`, else the storage.databasePath of `--config FILE` / VIGIL_CONFIG / the default configuration. */
function databasePath(argv: readonly string[]): string {
  const db = optionValue(argv, '--db');
  if (db) return db;
  const file = optionValue(argv, '--config') ?? process.env['VIGIL_CONFIG'] ?? defaultConfigPath();
  return loadVigilConfig(file).storage.databasePath;
}

main(process.argv.slice(2)).then(
  (code) => {
    // `start` keeps running until a signal; other commands end here.
    if (code !== -1) process.exitCode = code;
  },
  (err: unknown) => {
    io.err(`vigil: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
