/**
 * Pump control in headless Chromium against a real station server and the fake
 * ControlApi: login, the rate-change dialog through request, confirmation and double
 * check to verified; hard and soft limit refusals; not verified in red with Acknowledge;
 * a change made at the pump; the audit view. Screenshot: /tmp/station-pump.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startStationServer, type StationServer } from '../../src/station/station-server.js';
import { silentLogger } from '../../src/core/logger.js';
import { systemClock } from '../../src/core/clock.js';
import { packageRoot } from '../../src/core/package-root.js';
import type { Observation } from '../../src/model/observation.js';
import type { DeviceStatus } from '../../src/model/device-events.js';
import { BEDS, observation, status } from './fixtures.js';
import { FakeControl, USERS, ketaminePump } from './fake-control.js';

const WAIT_MS = 5000;

describe('pump control in the nurse station page', () => {
  const observations$ = new Subject<Observation>();
  const status$ = new Subject<DeviceStatus>();
  let control: FakeControl;
  let server: StationServer;
  let browser: Browser;
  let page: Page;

  const byId = (testId: string) => page.locator(`[data-testid="${testId}"]`).first();
  const waitForText = (testId: string, expected: string): Promise<void> =>
    page.locator(`[data-testid="${testId}"]`, { hasText: expected }).first().waitFor({ timeout: WAIT_MS });
  const visible = (testId: string): Promise<void> => byId(testId).waitFor({ state: 'visible', timeout: WAIT_MS });
  const computed = (testId: string, property: string): Promise<string> =>
    byId(testId).evaluate((el, prop) => el.ownerDocument.defaultView?.getComputedStyle(el).getPropertyValue(prop) ?? '', property);
  const openOrderId = (): string => control.pumps().find((p) => p.deviceId === 'pump-1')?.openOrderId ?? '';

  /** Opens the dialog and requests a value in mg/kg/h. */
  async function request(value: string): Promise<void> {
    await byId('pump-change-rate-bed-1-pump-1').click({ timeout: WAIT_MS });
    await visible('step-request');
    await byId('rate-value').fill(value);
    await byId('request-submit').click();
  }
  async function sign(prefix: 'confirm' | 'dc', who: 'ana' | 'ben', value?: string): Promise<void> {
    await visible(`${prefix}-username`);
    await byId(`${prefix}-username`).fill(who);
    await byId(`${prefix}-password`).fill(USERS[who]?.password ?? '');
    if (value !== undefined) await byId('dc-value').fill(value);
    await byId(`${prefix}-submit`).click();
  }

  beforeAll(async () => {
    const root = packageRoot();
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.web.json')], { stdio: 'pipe' });
    const now = Date.now();
    control = new FakeControl(systemClock, [
      ketaminePump(now),
      ketaminePump(now, { bedId: 'bed-2', deviceId: 'pump-2', reading: { ...ketaminePump(now).reading, fresh: false, readAt: now - 14_000 } }),
    ]);
    server = await startStationServer({
      host: '127.0.0.1', port: 0, logger: silentLogger(), observations$, status$, alarms$: control.alarms$, control,
      beds: [
        { ...BEDS[0]!, devices: [...BEDS[0]!.devices, { id: 'pump-1', driver: 'alaris-asena', transport: 'tcp://127.0.0.1:4101' }] },
        { ...BEDS[1]!, devices: [...BEDS[1]!.devices, { id: 'pump-2', driver: 'alaris-asena', transport: 'tcp://127.0.0.1:4102' }] },
      ],
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows a pump panel per pump; changing it needs a login', async () => {
    const now = Date.now();
    for (const [bedId, deviceId, value, pr] of [['bed-1', 'ox-1', 97, 72], ['bed-2', 'ox-2', 95, 81]] as const) {
      status$.next(status({ bedId, deviceId, lastDataAt: now, since: now }));
      observations$.next(observation({ bedId, deviceId, value, receivedAt: now }));
      observations$.next(observation({ bedId, deviceId, metric: 'pulse-rate', code: 149530, unit: '/min', value: pr, receivedAt: now }));
    }
    status$.next(status({ deviceId: 'pump-1', driver: 'alaris-asena', lastDataAt: now, since: now }));
    observations$.next(observation({ deviceId: 'pump-1', metric: 'infusion-time-remaining', code: 0, unit: 's', value: 2400, receivedAt: now }));
    observations$.next(observation({ deviceId: 'pump-1', metric: 'pump-rate', code: 157784, unit: 'mL/h', value: 5.25, receivedAt: now }));
    await page.goto(server.url);
    await waitForText('pump-rate-bed-1-pump-1', '5.25');
    expect(await byId('pump-dose-bed-1-pump-1').textContent()).toBe('0.75');
    expect(await byId('pump-state-bed-1-pump-1').textContent()).toBe('Running');
    expect(await byId('pump-remaining-bed-1-pump-1').textContent()).toBe('40 min');
    expect(await byId('pump-drug-bed-1-pump-1').textContent()).toContain('Ketamine 10 mg/mL · 70 kg');
    expect(await page.locator('[data-testid="metric-bed-1-pump-rate"]').count()).toBe(0); // shown in the panel, not twice
    expect(await byId('pump-live-bed-2-pump-2').textContent()).toContain('NOT LIVE');
    expect(await computed('pump-rate-bed-2-pump-2', 'color')).toBe('rgb(93, 104, 117)');
    expect(await byId('pump-change-rate-bed-1-pump-1').isDisabled()).toBe(true);

    await byId('login-username').fill('ana');
    await byId('login-password').fill('wrong-password');
    await byId('login-submit').click();
    await waitForText('login-error', 'invalid username or password');
    await byId('login-password').fill(USERS.ana?.password ?? '');
    await byId('login-submit').click();
    await waitForText('login-name', 'Ana Silva · Nurse');
    expect(await byId('pump-change-rate-bed-1-pump-1').isEnabled()).toBe(true);
    expect(await byId('pump-change-rate-bed-2-pump-2').isDisabled()).toBe(true); // not live
  });

  it('walks a rate change through request, confirmation and double check to verified', async () => {
    await request('');
    await waitForText('dialog-error', 'Enter the new value');
    await byId('rate-value').fill('0.8');
    await waitForText('rate-other-unit', '= 5.60 mL/h');
    await page.screenshot({ path: '/tmp/station-pump-request.png' });
    await byId('request-submit').click();
    await visible('step-confirm');
    await waitForText('order-target', '5.60 mL/h (0.80 mg/kg/h)');
    await page.screenshot({ path: '/tmp/station-pump-confirm.png' });
    expect(await byId('order-expiry').textContent()).toMatch(/^Expires in [12]:\d\d$/);
    await sign('confirm', 'ana');
    await visible('step-double-check');
    expect(await byId('order-target').textContent()).toContain('hidden');
    await page.screenshot({ path: '/tmp/station-pump-dc.png' });
    await sign('dc', 'ana', '0.8');
    await waitForText('dialog-error', 'second nurse');
    await sign('dc', 'ben', '0.8');
    await waitForText('order-state-title', 'Programming the pump');
    expect(await byId('order-acknowledge').isVisible()).toBe(false);

    control.finish(openOrderId() || control.orders()[0]!.id, 'verified');
    await waitForText('order-state-title', 'Verified');
    expect(await byId('order-state-detail').textContent()).toContain('5.60 mL/h, running');
    expect(await computed('order-state', 'border-left-color')).toBe('rgb(63, 224, 127)');
    await waitForText('pump-rate-bed-1-pump-1', '5.60');
    await byId('order-close').click();
    await byId('order-dialog').waitFor({ state: 'hidden', timeout: WAIT_MS });
    await waitForText('pump-order-bed-1-pump-1', 'Verified');
  });

  it('refuses a dose above the hard limit and shows the limit in words', async () => {
    await request('3');
    await waitForText('dialog-error', 'Request refused: 3.00 mg/kg/h is above the hard maximum of 2 mg/kg/h');
    await waitForText('rate-limits', 'hard 0.05–2 mg/kg/h');
    expect(await byId('override-reason').isVisible()).toBe(false);
    expect(await byId('step-request').isVisible()).toBe(true);
  });

  it('asks for a reason outside the soft limits, then goes on; not verified is red with Acknowledge', async () => {
    await byId('rate-value').fill('1.5');
    await byId('request-submit').click();
    await waitForText('dialog-error', 'give an override reason');
    await visible('override-reason');
    await byId('override-reason').fill('Step-up per protocol, approved by Dr Cho');
    await byId('request-submit').click();
    await visible('step-confirm');
    await waitForText('order-limits', 'ABOVE the soft maximum · override reason: Step-up per protocol');
    await sign('confirm', 'ana');
    await sign('dc', 'ben', '1.5');
    await waitForText('order-state-title', 'Programming the pump');

    control.finish(openOrderId(), 'not-verified');
    await waitForText('order-state-title', 'NOT VERIFIED');
    expect(await byId('order-state-detail').textContent()).toContain('the pump runs 11.50 mL/h, not the ordered 10.50 mL/h');
    expect(await computed('order-state', 'background-color')).toBe('rgb(227, 20, 27)');
    await visible('order-acknowledge');
    await visible('alarm-bed-1-RATE_CHANGE_NOT_VERIFIED');
    await page.screenshot({ path: '/tmp/station-pump.png' });

    await byId('order-acknowledge').click();
    await waitForText('order-acknowledged', 'Acknowledged');
    await byId('alarm-bed-1-RATE_CHANGE_NOT_VERIFIED').waitFor({ state: 'detached', timeout: WAIT_MS });
    expect(control.calls.filter((c) => c.startsWith('acknowledge'))).toHaveLength(1);
    await byId('dialog-close').click();
  });

  it('shows a change made at the pump and the audit log', async () => {
    control.changeAtPump('bed-1', 'pump-1', 7);
    await waitForText('pump-change-bed-1-pump-1', 'Changed AT THE PUMP');
    expect(await byId('pump-change-bed-1-pump-1').textContent()).toContain('11.50 mL/h → 7.00 mL/h');
    await waitForText('pump-rate-bed-1-pump-1', '7.00');
    await page.screenshot({ path: '/tmp/station-pump-board.png' });
    await byId('pump-change-dismiss-bed-1-pump-1').click();
    await byId('pump-change-bed-1-pump-1').waitFor({ state: 'hidden', timeout: WAIT_MS });

    await byId('open-audit').click();
    await waitForText('audit-status', 'entries');
    const actions = await page.locator('[data-testid="audit-table"] tbody tr td:nth-child(3)').allTextContents();
    expect(actions).toContain('order.verified');
    expect(actions).toContain('order.not-verified');
    expect(await page.locator('[data-testid="audit-table"] tbody tr', { hasText: 'user:2 (Ben Okafor)' }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: '/tmp/station-audit.png' });
    await byId('audit-close').click();
  });

  it('stops the infusion with one confirmation, then logs out', async () => {
    await byId('pump-stop-bed-1-pump-1').click();
    await waitForText('stop-text', 'Stop this infusion?');
    await byId('request-submit').click();
    await sign('confirm', 'ben');
    await waitForText('order-state-title', 'Programming the pump');
    expect(await page.locator('[data-testid="dialog-steps"] li').allTextContents()).toEqual(['1. Stop request', '2. Nurse confirmation', '3. Pump read-back']);
    control.finish(openOrderId(), 'verified');
    await waitForText('order-state-detail', 'stopped');
    await byId('order-close').click();
    await waitForText('pump-state-bed-1-pump-1', 'Stopped');
    await byId('logout').click();
    await visible('login-form');
    expect(await byId('pump-change-rate-bed-1-pump-1').isDisabled()).toBe(true);
  });
});
