/**
 * What a newcomer sees after `npm start`: the real `vigil start` process on the default
 * configuration (only ports, one condition delay and the patient's time scale changed
 * so the test takes seconds), the nurse station in headless Chromium, and simulated
 * events triggered with the documented `vigil sim event` command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { defaultConfigPath } from '../../src/config/vigil-config.js';
import { freePort } from '../helpers/free-port.js';
import { DEMO_USERS } from '../../src/daemon/demo-users.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'vigil.js');
const run = promisify(execFile);

describe('vigil start + nurse station in a browser', () => {
  let daemon: ChildProcess;
  let browser: Browser;
  let page: Page;
  let stationUrl: string;
  let controlUrl: string;
  let output = '';

  const sim = (...args: string[]) => run(process.execPath, [BIN, 'sim', 'event', ...args, '--control', controlUrl], { timeout: 10000 });
  const testId = (id: string) => page.locator(`[data-testid="${id}"]`).first();
  /** Logs in at the station header (once). */
  async function logIn(user: (typeof DEMO_USERS)[number]): Promise<void> {
    if (await testId('login-name').isVisible()) return;
    await testId('login-username').fill(user.username, { timeout: 10000 });
    await testId('login-password').fill(user.password, { timeout: 10000 });
    await testId('login-submit').click();
    await page.locator('[data-testid="login-name"]', { hasText: user.displayName.split(' (')[0]! }).waitFor({ timeout: 10000 });
  }
  /**
   * A high alarm latches: after its condition ends it stays, marked latched, until a nurse
   * acknowledges it. Two devices of the bed may raise the same code (the oximeter's and the
   * monitor's SpO2): each row is acknowledged.
   */
  async function acknowledgeLatched(bed: string, code: string): Promise<void> {
    const rows = page.locator(`[data-testid="alarm-${bed}-${code}"]`);
    await page.locator(`[data-testid="alarm-${bed}-${code}"][data-latched="true"]`).first().waitFor({ timeout: 30000 });
    await logIn(DEMO_USERS[0]);
    for (let i = 0; i < 4 && (await rows.count()) > 0; i++) {
      const latched = page.locator(`[data-testid="alarm-${bed}-${code}"][data-latched="true"]`).first();
      await latched.waitFor({ timeout: 30000 });
      // Wait for this very row to leave: the other device's alarm may latch meanwhile.
      const row = await latched.elementHandle();
      await latched.locator(`[data-testid="ack-${bed}-${code}"]`).click({ timeout: 10000 });
      await page.waitForFunction((el) => !el || !el.isConnected, row, { timeout: 10000 });
    }
    expect(await rows.count()).toBe(0);
  }

  beforeAll(async () => {
    const [station, control, oxi1, oxi2, pump, mon1, mon2] = await Promise.all(Array.from({ length: 7 }, () => freePort()));
    const dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
    stationUrl = `http://127.0.0.1:${station}`;
    controlUrl = `http://127.0.0.1:${control}`;
    const config = readFileSync(defaultConfigPath(), 'utf8')
      .replace('port: 8080', `port: ${station}`)
      .replace('controlPort: 8081', `controlPort: ${control}`)
      .replace('127.0.0.1:4101', `127.0.0.1:${oxi1}`)
      .replace('level: info', 'level: warn')
      .replace('spo2: { low: 90, priority: high, delayMs: 15000 }', 'spo2: { low: 90, priority: high, delayMs: 2000 }')
      .replace('patient: { seed: 1 }', 'patient: { seed: 1, timeScale: 10 }')
      .replace('127.0.0.1:4103', `127.0.0.1:${pump}`)
      .replace('127.0.0.1:4104', `127.0.0.1:${mon1}`)
      .replace('127.0.0.1:4105', `127.0.0.1:${oxi2}`)
      .replace('127.0.0.1:4106', `127.0.0.1:${mon2}`)
      .replace('drugLibrary: drug-library.yaml', `drugLibrary: ${join(dirname(defaultConfigPath()), 'drug-library.yaml')}`)
      .replace('databasePath: var/vigil.sqlite', `databasePath: ${join(dir, 'vigil.sqlite')}`);
    const file = join(dir, 'clinic.yaml');
    writeFileSync(file, config);

    daemon = spawn(process.execPath, [BIN, 'start', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    daemon.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`daemon did not start:\n${output}`)), 15000);
      daemon.stdout!.on('data', () => {
        if (output.includes(`Vigil nurse station: ${stationUrl}`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      daemon.once('exit', (code) => reject(new Error(`daemon exited with ${code}:\n${output}`)));
    });

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    await page.goto(stationUrl);
  });

  afterAll(async () => {
    await browser?.close();
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((resolve) => daemon.once('exit', resolve));
      daemon.kill('SIGTERM');
      await exited;
    }
  });

  it('shows two beds with live SpO2 and pulse rate', async () => {
    for (const bed of ['bed-1', 'bed-2']) {
      await expect.poll(async () => Number(await testId(`value-${bed}-spo2`).textContent()), { timeout: 10000 }).toBeGreaterThanOrEqual(90);
      await expect.poll(async () => Number(await testId(`value-${bed}-pulse-rate`).textContent()), { timeout: 10000 }).toBeGreaterThan(40);
    }
    await expect(testId('bed-bed-1').textContent()).resolves.toContain('Bed 1 - IV ketamine');
    await expect(testId('bed-bed-2').textContent()).resolves.toContain('Bed 2 - IM ketamine');
  });

  it('`vigil sim event bed-1 desaturation` brings the high-priority SpO2 alarm, in red', async () => {
    await sim('bed-1', 'desaturation', '--target-spo2', '80', '--ramp-seconds', '10');
    const alarm = testId('alarm-bed-1-SPO2_LOW');
    await alarm.waitFor({ timeout: 20000 });
    expect(await alarm.getAttribute('class')).toContain('alarm-high');
    expect(await alarm.textContent()).toMatch(/SpO2 \d+ % below 90 %/);
    await page.screenshot({ path: join(tmpdir(), 'vigil-e2e-alarm.png') });
    await sim('bed-1', 'recover');
    await acknowledgeLatched('bed-1', 'SPO2_LOW');
  });

  it('two demo nurses change bed 1\'s ketamine rate from the station; the pump runs it, verified', async () => {
    const byId = (id: string) => testId(id);
    const fill = async (id: string, value: string) => byId(id).fill(value, { timeout: 10000 });
    const [ana, ben] = DEMO_USERS;
    await logIn(ana);
    await page.locator('[data-testid="pump-rate-bed-1-pump"]', { hasText: '5.25' }).waitFor({ timeout: 10000 });

    await byId('pump-change-rate-bed-1-pump').click({ timeout: 10000 });
    await fill('rate-value', '1.0');
    await byId('request-submit').click();
    await fill('confirm-username', ana.username);
    await fill('confirm-password', ana.password);
    await byId('confirm-submit').click();
    await fill('dc-username', ben.username);
    await fill('dc-password', ben.password);
    await fill('dc-value', '1.0');
    await byId('dc-submit').click();
    await page.locator('[data-testid="order-state-title"]', { hasText: 'Verified' }).waitFor({ timeout: 20000 });
    await page.screenshot({ path: join(tmpdir(), 'vigil-e2e-verified.png') });
    await byId('order-close').click();
    await page.locator('[data-testid="pump-rate-bed-1-pump"]', { hasText: '7.00' }).waitFor({ timeout: 10000 });
    // The simulated pump itself reports the new rate (asked over the simulator's control API).
    const { stdout } = await run(process.execPath, [BIN, 'sim', 'patient', 'bed-1', '--control', controlUrl], { timeout: 10000 });
    expect(stdout).toMatch(/7(\.0+)? mL\/h/);
  });

  it('a stopped device shows "communication lost" and recovers on its own', async () => {
    await sim('bed-2', 'oximeter', 'disconnect');
    const lost = testId('alarm-bed-2-COMMUNICATION_LOST');
    await lost.waitFor({ timeout: 15000 });
    expect(await lost.textContent()).toContain('communication lost');
    await sim('bed-2', 'oximeter', 'resume');
    await acknowledgeLatched('bed-2', 'COMMUNICATION_LOST');
    expect(daemon.exitCode).toBeNull();
  });
});
