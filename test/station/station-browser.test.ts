/**
 * The nurse-station page in headless Chromium against a real station server.
 * Builds the browser client first (tsc -p tsconfig.web.json). Screenshot: /tmp/station.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startStationServer, type StationServer } from '../../src/station/station-server.js';
import { silentLogger } from '../../src/core/logger.js';
import { packageRoot } from '../../src/core/package-root.js';
import type { Observation } from '../../src/model/observation.js';
import type { DeviceStatus } from '../../src/model/device-events.js';
import type { AlarmEvent } from '../../src/alarms/alarm.js';
import { BEDS, alarm, alarmEvent, observation, status } from './fixtures.js';

const WAIT_MS = 5000;

describe('nurse station page in Chromium', () => {
  const observations$ = new Subject<Observation>();
  const status$ = new Subject<DeviceStatus>();
  const alarms$ = new Subject<AlarmEvent>();
  let server: StationServer;
  let browser: Browser;
  let page: Page;

  const text = (testId: string): Promise<string | null> =>
    page.locator(`[data-testid="${testId}"]`).first().textContent({ timeout: WAIT_MS });
  const waitForText = (testId: string, expected: string): Promise<void> =>
    page.locator(`[data-testid="${testId}"]`, { hasText: expected }).first().waitFor({ timeout: WAIT_MS });
  /** A computed style property of an element (read in the page; no DOM lib needed here). */
  const computed = (testId: string, property: string): Promise<string> =>
    page.locator(`[data-testid="${testId}"]`).first().evaluate(
      (el, prop) => el.ownerDocument.defaultView?.getComputedStyle(el).getPropertyValue(prop) ?? '',
      property,
    );

  beforeAll(async () => {
    const root = packageRoot();
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.web.json')], { stdio: 'pipe' });
    server = await startStationServer({
      host: '127.0.0.1', port: 0, logger: silentLogger(), observations$, status$, alarms$,
      beds: [
        ...BEDS,
        { id: 'bed-3', label: 'Bed 3', session: 'iv-ketamine', devices: [{ id: 'ox-3', driver: 'masimo-ascii', transport: 'tcp://10.0.0.7:4001' }] },
      ],
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows a tile per bed with the SpO2 value published on the stream', async () => {
    const now = Date.now();
    status$.next(status({ lastDataAt: now, since: now }));
    observations$.next(observation({ value: 97, receivedAt: now }));
    observations$.next(observation({ metric: 'pulse-rate', code: 149530, unit: '/min', value: 72, receivedAt: now }));
    await page.goto(server.url);
    await waitForText('value-bed-1-spo2', '97');
    expect(await page.locator('[data-testid^="bed-"]').count()).toBe(3);
    expect(await text('value-bed-1-pulse-rate')).toBe('72');
    expect(await text('value-bed-2-spo2')).toBe('--');
    expect(await page.locator('[data-testid="station-disconnected"]').isVisible()).toBe(false);
    expect(await text('device-bed-1-ox-1')).toContain('Receiving');
    // No pump control on this gateway: no login box, no pump panels.
    expect(await page.locator('[data-testid="login"]').isHidden()).toBe(true);
    expect(await page.locator('.pump').count()).toBe(0);

    observations$.next(observation({ value: 93, receivedAt: Date.now() }));
    await waitForText('value-bed-1-spo2', '93');
  });

  it('fits a three-digit value in its box without clipping', async () => {
    observations$.next(observation({ bedId: 'bed-2', deviceId: 'ox-2', metric: 'pulse-rate', code: 149530, unit: '/min', value: 128, receivedAt: Date.now() }));
    await waitForText('value-bed-2-pulse-rate', '128');
    const size = await page.locator('[data-testid="value-bed-2-pulse-rate"]').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(size.client).toBeGreaterThan(0);
    expect(size.scroll).toBeLessThanOrEqual(size.client);
  });

  it('greys a value older than a few seconds as stale', async () => {
    observations$.next(observation({ bedId: 'bed-2', deviceId: 'ox-2', value: 99, receivedAt: Date.now() - 20_000 }));
    await waitForText('value-bed-2-spo2', '99');
    const metric = page.locator('[data-testid="metric-bed-2-spo2"]');
    expect(await metric.getAttribute('data-freshness')).toBe('stale');
    expect(await computed('value-bed-2-spo2', 'color')).toBe('rgb(93, 104, 117)');
  });

  it('shows a high alarm in red with its message, flashing at 2 Hz, and the tile border red', async () => {
    const cond = alarm({ startedAt: Date.now(), message: 'SpO2 84 % below 90 %' });
    alarms$.next(alarmEvent('start', cond));
    const row = page.locator('[data-testid="alarm-bed-1-SPO2_LOW"]');
    await row.waitFor({ state: 'visible', timeout: WAIT_MS });
    expect(await row.textContent()).toContain('SpO2 84 % below 90 %');
    expect(await computed('alarm-bed-1-SPO2_LOW', 'border-left-color')).toBe('rgb(227, 20, 27)');
    expect(await computed('alarm-bed-1-SPO2_LOW', 'animation-name')).toBe('flash-high');
    const flashHz = 1 / Number.parseFloat(await computed('alarm-bed-1-SPO2_LOW', 'animation-duration'));
    expect(flashHz).toBeGreaterThanOrEqual(1.4);
    expect(flashHz).toBeLessThanOrEqual(2.8);
    const onPhase = await row.evaluate((el) => {
      for (const a of el.getAnimations()) {
        a.pause();
        a.currentTime = 0;
      }
      const colour = el.ownerDocument.defaultView?.getComputedStyle(el).backgroundColor;
      for (const a of el.getAnimations()) {
        a.startTime = 0;
      }
      return colour;
    });
    expect(onPhase).toBe('rgb(227, 20, 27)');
    expect(await computed('bed-bed-1', 'border-top-color')).toBe('rgb(227, 20, 27)');

    // A fuller ward for the screenshot: a lost device with a medium technical alarm, a low alarm.
    const now = Date.now();
    status$.next(status({ bedId: 'bed-3', deviceId: 'ox-3', data: 'silent', lastDataAt: now - 14_000, lastError: 'ECONNRESET 10.0.0.7:4001' }));
    alarms$.next(alarmEvent('start', alarm({
      bedId: 'bed-3', deviceId: 'ox-3', code: 'COMMUNICATION_LOST', kind: 'technical', priority: 'medium',
      message: 'Oximeter ox-3: communication lost', startedAt: now - 9_000,
    })));
    alarms$.next(alarmEvent('start', alarm({ code: 'LOW_PERFUSION', kind: 'technical', priority: 'low', message: 'Low perfusion', startedAt: now - 30_000 })));
    status$.next(status({ bedId: 'bed-2', deviceId: 'ox-2', driver: 'nonin-binary', link: 'connecting', data: 'awaiting', lastDataAt: null, lastError: 'ENOENT /dev/ttyUSB1' }));
    await page.locator('[data-testid="alarm-bed-3-COMMUNICATION_LOST"]').waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="alarm-bed-1-LOW_PERFUSION"]').waitFor({ timeout: WAIT_MS });
    const order = await page.locator('[data-testid="alarms-bed-1"] .alarm').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(order).toEqual(['alarm-bed-1-SPO2_LOW', 'alarm-bed-1-LOW_PERFUSION']);
    expect(await text('alarm-bed-3-COMMUNICATION_LOST')).toContain('TECHNICAL');
    expect(await text('device-bed-3-ox-3')).toContain('Communication lost');
    await page.screenshot({ path: '/tmp/station.png' });

    alarms$.next(alarmEvent('end', cond));
    await row.waitFor({ state: 'detached', timeout: WAIT_MS });
    expect(await computed('bed-bed-1', 'border-top-color')).toBe('rgb(0, 215, 240)');
  });

  it('shows the disconnected banner when the server stops', async () => {
    await server.close();
    const banner = page.locator('[data-testid="station-disconnected"]');
    await banner.waitFor({ state: 'visible', timeout: WAIT_MS });
    expect(await banner.textContent()).toContain('STATION DISCONNECTED');
    expect(await text('link-state')).toBe('Disconnected');
    await page.screenshot({ path: '/tmp/station-disconnected.png' });
  });
});
