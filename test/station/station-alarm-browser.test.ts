/**
 * Alarm control in headless Chromium against a real station server, the real
 * AlarmControl and engine (virtual time): acknowledge stops the sound (data-sounding)
 * but the alarm keeps its colour and flashing; a new alarm sounds again; audio pause
 * shows its countdown and silences; the escalation target and latching are shown; the
 * history and profile panels. Screenshots: /tmp/station-alarms.png, /tmp/station-alarms-panels.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startStationServer, type StationServer } from '../../src/station/station-server.js';
import { silentLogger } from '../../src/core/logger.js';
import { packageRoot } from '../../src/core/package-root.js';
import { BEDS, status } from './fixtures.js';
import { PASSWORDS, createAlarmFixture, type AlarmFixture } from './alarm-fixture.js';

const WAIT_MS = 5000;

describe('alarm control in the nurse station page', () => {
  let fx: AlarmFixture;
  let server: StationServer;
  let browser: Browser;
  let page: Page;

  const byId = (testId: string) => page.locator(`[data-testid="${testId}"]`).first();
  const waitForText = (testId: string, expected: string | RegExp): Promise<void> =>
    page.locator(`[data-testid="${testId}"]`, { hasText: expected }).first().waitFor({ timeout: WAIT_MS });
  const sounding = (level: string): Promise<unknown> => page.waitForSelector(`body[data-sounding="${level}"]`, { timeout: WAIT_MS, state: 'attached' });
  const computed = (testId: string, property: string): Promise<string> =>
    byId(testId).evaluate((el, prop) => el.ownerDocument.defaultView?.getComputedStyle(el).getPropertyValue(prop) ?? '', property);

  beforeAll(async () => {
    const root = packageRoot();
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.web.json')], { stdio: 'pipe' });
    fx = await createAlarmFixture();
    server = await startStationServer({
      host: '127.0.0.1', port: 0, logger: silentLogger(), beds: BEDS,
      observations$: fx.observations$, status$: fx.status$, alarms$: fx.engine.alarmEvents$, alarmControl: fx.control, auth: fx.control,
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fx?.close();
  });

  it('logs in a nurse; no alarm, no sound, sound enabled', async () => {
    const now = Date.now();
    await page.goto(server.url);
    for (const [bedId, deviceId] of [['bed-1', 'ox-1'], ['bed-2', 'ox-2']] as const) {
      fx.status$.next(status({ bedId, deviceId, lastDataAt: now, since: now }));
      fx.observe(bedId, 'spo2', 97);
      fx.observe(bedId, 'pulse-rate', 72);
    }
    await waitForText('value-bed-1-spo2', '97');
    await waitForText('sound-state', 'Sound on');
    expect(await byId('ack-bed-1-SPO2_LOW').count()).toBe(0);
    await byId('login-username').fill('ana');
    await byId('login-password').fill(PASSWORDS.ana);
    await byId('login-submit').click();
    await waitForText('login-name', 'Ana Silva · Nurse');
    expect(await byId('open-audit').isVisible()).toBe(false); // the audit view comes with pump control
    expect(await page.getAttribute('body', 'data-sounding')).toBe('none');
  });

  it('acknowledge stops the sound, while the alarm stays shown in red and flashing', async () => {
    fx.observe('bed-1', 'spo2', 85);
    await waitForText('alarm-bed-1-SPO2_LOW', 'SpO2 85 % below 90 %');
    await sounding('high');
    await waitForText('sound-state', 'Sounding · high');
    await byId('ack-bed-1-SPO2_LOW').click();
    await waitForText('alarm-meta-bed-1-SPO2_LOW', 'ACK · Ana Silva');
    await sounding('none');
    expect(await byId('alarm-bed-1-SPO2_LOW').isVisible()).toBe(true);
    expect(await computed('alarm-bed-1-SPO2_LOW', 'animation-name')).toBe('flash-high');
    expect(await computed('alarm-bed-1-SPO2_LOW', 'border-left-color')).toBe('rgb(227, 20, 27)');
    expect(await byId('ack-bed-1-SPO2_LOW').isVisible()).toBe(false);
  });

  it('a new alarm after the acknowledgement sounds again', async () => {
    fx.observe('bed-1', 'pulse-rate', 42);
    await waitForText('alarm-bed-1-PULSE_RATE_LOW', 'below 50');
    await sounding('medium');
  });

  it('shows the escalation target after the tier, and a latched alarm as latched', async () => {
    fx.observe('bed-2', 'spo2', 84);
    await sounding('high');
    fx.scheduler.advance(30_000);
    await waitForText('alarm-meta-bed-2-SPO2_LOW', 'TIER 1 → charge nurse');
    fx.observe('bed-2', 'spo2', 96);
    await waitForText('alarm-meta-bed-2-SPO2_LOW', 'LATCHED');
    await sounding('high'); // latched and not acknowledged: it still sounds
  });

  it('audio pause shows its countdown and silences the bed\'s alarms', async () => {
    await byId('ack-bed-2-SPO2_LOW').click(); // the latched alarm ends
    await page.locator('[data-testid="alarm-bed-2-SPO2_LOW"]').waitFor({ state: 'detached', timeout: WAIT_MS });
    await sounding('medium'); // bed 1's pulse alarm
    await byId('audio-pause-bed-1').click();
    await waitForText('audio-state-bed-1', /AUDIO PAUSED \d:\d\d/);
    await sounding('none');
    await waitForText('alarm-meta-bed-1-PULSE_RATE_LOW', 'AUDIO PAUSED');
    expect(await computed('alarm-bed-1-PULSE_RATE_LOW', 'animation-name')).toBe('flash-medium');
    fx.observe('bed-2', 'spo2', 83); // another bed is not paused
    await sounding('high');
    await page.screenshot({ path: '/tmp/station-alarms.png' });
  });

  it('lists an alarm\'s history: start, escalation, latch and acknowledgement with who', async () => {
    await byId('history-open-bed-1').click();
    await waitForText('history-title', 'Alarm history · Bed 1');
    await waitForText('history-alarm-SPO2_LOW', 'Started: SpO2 85 % below 90 %');
    await waitForText('history-alarm-SPO2_LOW', 'Acknowledged by Ana Silva');
    await byId('history-close').click();
    await byId('history-open-bed-2').click();
    await waitForText('history-title', 'Alarm history · Bed 2');
    const ended = page.locator('[data-testid="history-alarm-SPO2_LOW"][data-state="ended"]');
    await ended.waitFor({ timeout: WAIT_MS });
    const entries = await ended.locator('.history-text').allTextContents();
    expect(entries).toEqual([
      'Started: SpO2 84 % below 90 %', 'Escalated → charge nurse', 'Latched (condition ended)', 'Acknowledged by Ana Silva', 'Ended (latched alarm acknowledged) by Ana Silva',
    ]);
    await page.screenshot({ path: '/tmp/station-alarms-history.png' });
    await byId('history-close').click();
  });

  it('edits a limit in the profile panel: a bad one is refused with the reason, a good one applies', async () => {
    await byId('profile-open-bed-2').click();
    await waitForText('profile-current', 'Station test (station-test)');
    await byId('rule-edit-pulse-rate').click();
    await byId('rule-low-pulse-rate').fill('130');
    await byId('rule-save-pulse-rate').click();
    await waitForText('profile-error', 'low must be below high');
    await byId('rule-low-pulse-rate').fill('45');
    await byId('rule-save-pulse-rate').click();
    await waitForText('rule-pulse-rate', 'pulse-rate < 45 or > 120');
    await waitForText('rule-pulse-rate', 'changed here');
    await waitForText('profile-current', 'changed here: pulse-rate (until restart)');
    await byId('rule-off-pulse-rate').click();
    await waitForText('alarms-off-bed-2', 'ALARM OFF: pulse-rate');
    await page.screenshot({ path: '/tmp/station-alarms-panels.png' });
    await byId('profile-close').click();
  });
});
