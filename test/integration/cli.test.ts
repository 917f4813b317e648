import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defaultConfigPath, loadVigilConfig } from '../../src/config/vigil-config.js';

/** The `vigil` command as a user runs it: the compiled bin (npm test builds it first). */
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'vigil.js');
const run = promisify(execFile);

async function vigil(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  if (!existsSync(join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does) before this test');
  }
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { timeout: 15000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('vigil CLI', () => {
  it('the embedded default configuration is valid: two simulated beds with monitors, bed 1 with a ketamine pump, bed 2 with a Nonin', () => {
    const config = loadVigilConfig(defaultConfigPath());
    expect(config.simulation.enabled).toBe(true);
    expect(config.beds[0]!.infusion).toEqual({ pump: 'pump', drug: 'ketamine', concentrationMgPerMl: 10, patientWeightKg: 70 });
    expect(config.station).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.beds.map((b) => [b.id, b.session, b.devices.map((d) => d.simulator?.model)])).toEqual([
      ['bed-1', 'iv-ketamine', ['alaris-asena-gh', 'masimo-radical-7', 'modbus-monitor']],
      ['bed-2', 'im-ketamine', ['nonin', 'modbus-monitor']],
    ]);
  });

  it('--help lists the commands', async () => {
    const { code, stdout } = await vigil('--help');
    expect(code).toBe(0);
    for (const command of ['start', 'check-config', 'sim']) expect(stdout).toContain(`vigil ${command}`);
  });

  it('check-config accepts the default configuration', async () => {
    const { code, stdout } = await vigil('check-config', defaultConfigPath());
    expect(code).toBe(0);
    expect(stdout).toMatch(/OK \(2 beds, 5 devices\)/);
  });

  it('check-config and start refuse a broken file with every problem named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    const file = join(dir, 'broken.yaml');
    const broken = readFileSync(defaultConfigPath(), 'utf8')
      .replace('port: 8080', 'port: 80800')
      .replace('tcp://127.0.0.1:4105', 'tcp://127.0.0.1');
    writeFileSync(file, broken);
    const check = await vigil('check-config', file);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`Invalid configuration ${file} (2 problems)`);
    expect(check.stderr).toMatch(/station\.port: .*65535/);
    expect(check.stderr).toMatch(/beds\[1\]\.devices\[0\]\.transport: .*port/);
    const start = await vigil('start', '--config', file);
    expect(start.code).toBe(1);
    expect(start.stderr).toContain('refusing to start');
    expect(start.stderr).toContain('station.port');
  });

  it('an unknown command is refused with the help', async () => {
    const { code, stderr } = await vigil('strat');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "strat"');
  });
});
