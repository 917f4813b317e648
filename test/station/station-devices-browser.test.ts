/**
 * The station page with the new devices, in headless Chromium against a real station
 * server: a live pleth trace from chunks published on a Subject (drawn, sweeping, gaps,
 * grey and stopped when chunks stop), NIBP with the age of its measurement, RR, EtCO2,
 * temperature and HR from a monitor, SpO2 from two devices. Screenshot: /tmp/station-devices.png.
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
import type { WaveformChunk } from '../../src/model/waveform.js';
import { observation, status } from './fixtures.js';

const WAIT_MS = 6000;
const TRACE = 'trace-bed-2-ox-2-pleth';
const CANVAS = 'trace-canvas-bed-2-ox-2-pleth';
const MIN = 60_000;

/** A pulse-like pleth at 72/min (upstroke, peak, dicrotic notch), 8-bit like a Nonin format #2 stream. */
function plethValue(index: number): number {
  const phase = ((index / 75) * 1.2) % 1;
  const systolic = Math.exp(-(((phase - 0.18) / 0.08) ** 2));
  const dicrotic = 0.38 * Math.exp(-(((phase - 0.46) / 0.09) ** 2));
  return Math.round(40 + 170 * (systolic + dicrotic));
}

/** Publishes 25-sample pleth chunks every 1/3 s, like a Nonin, until stopped. */
class PlethSource {
  private next = 0;
  private timer: NodeJS.Timeout | null = null;
  private nullsLeft = 0;

  constructor(private readonly waveforms$: Subject<WaveformChunk>) {}

  start(): void {
    this.timer ??= setInterval(() => this.publish(), 1000 / 3);
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
  /** The next `count` samples are lost (the next chunk's index jumps). */
  lose(count: number): void {
    this.next += count;
  }
  /** The next `count` samples are marked invalid by the device. */
  invalidate(count: number): void {
    this.nullsLeft = count;
  }

  private publish(): void {
    const samples = Array.from({ length: 25 }, (_, k) => {
      if (this.nullsLeft > 0) {
        this.nullsLeft -= 1;
        return null;
      }
      return plethValue(this.next + k);
    });
    this.waveforms$.next({
      bedId: 'bed-2', deviceId: 'ox-2', metric: 'pleth', code: 150452, sampleRateHz: 75, samples,
      range: { min: 0, max: 255 }, receivedAt: Date.now(), firstSampleIndex: this.next,
    });
    this.next += 25;
  }
}

describe('station page with monitors and a live pleth trace', () => {
  const observations$ = new Subject<Observation>();
  const status$ = new Subject<DeviceStatus>();
  const alarms$ = new Subject<AlarmEvent>();
  const waveforms$ = new Subject<WaveformChunk>();
  const pleth = new PlethSource(waveforms$);
  let numerics: NodeJS.Timeout | undefined;
  let server: StationServer;
  let browser: Browser;
  let page: Page;

  const byId = (testId: string) => page.locator(`[data-testid="${testId}"]`).first();
  const text = (testId: string): Promise<string | null> => byId(testId).textContent({ timeout: WAIT_MS });
  const attr = (testId: string, name: string): Promise<string | null> => byId(testId).getAttribute(name, { timeout: WAIT_MS });
  const computed = (testId: string, property: string): Promise<string> =>
    byId(testId).evaluate((el, prop) => el.ownerDocument.defaultView?.getComputedStyle(el).getPropertyValue(prop) ?? '', property);
  const waitForText = (testId: string, expected: string): Promise<void> =>
    page.locator(`[data-testid="${testId}"]`, { hasText: expected }).first().waitFor({ timeout: WAIT_MS });
  /** Waits until an attribute of an element satisfies a numeric or exact condition. */
  const waitForAttr = (testId: string, name: string, test: { equals?: string; atLeast?: number }): Promise<unknown> =>
    page.waitForFunction(
      ({ id, name, test }) => {
        const value = document.querySelector(`[data-testid="${id}"]`)?.getAttribute(name);
        if (value === null || value === undefined) return false;
        return test.equals !== undefined ? value === test.equals : Number(value) >= (test.atLeast ?? 0);
      },
      { id: testId, name, test },
      { timeout: WAIT_MS },
    );
  /** What the trace canvas holds: lit pixels, their mean colour and a hash of the image. */
  const canvasPixels = (): Promise<{ lit: number; r: number; g: number; b: number; hash: number }> =>
    byId(CANVAS).evaluate((node) => {
      const canvas = node as HTMLCanvasElement;
      const image = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height);
      let lit = 0, r = 0, g = 0, b = 0, hash = 0;
      const data = image?.data ?? new Uint8ClampedArray(0);
      for (let i = 0; i < data.length; i += 4) {
        hash = (hash * 31 + (data[i + 3] ?? 0)) | 0;
        if ((data[i + 3] ?? 0) < 200) continue;
        lit += 1;
        r += data[i] ?? 0;
        g += data[i + 1] ?? 0;
        b += data[i + 2] ?? 0;
      }
      return { lit, r: r / Math.max(1, lit), g: g / Math.max(1, lit), b: b / Math.max(1, lit), hash };
    });
  /** Resolves after the page has drawn `frames` more animation frames. */
  const frames = (frames: number): Promise<unknown> =>
    page.evaluate((n) => new Promise<void>((resolve) => {
      const step = (left: number): void => {
        if (left === 0) resolve();
        else requestAnimationFrame(() => step(left - 1));
      };
      step(n);
    }), frames);

  /** The monitors' numerics, re-sent every second like a polled Modbus monitor. */
  function publishNumerics(): void {
    const now = Date.now();
    const value = (bedId: string, deviceId: string, metric: Observation['metric'], unit: string, v: number): void =>
      observations$.next(observation({ bedId, deviceId, metric, code: 1, unit, value: v, receivedAt: now }));
    value('bed-1', 'ox-1', 'spo2', '%', 98);
    value('bed-1', 'ox-1', 'pulse-rate', '/min', 71);
    value('bed-1', 'mon-1', 'heart-rate', '/min', 72);
    value('bed-1', 'mon-1', 'resp-rate', '/min', 14);
    value('bed-1', 'mon-1', 'etco2', 'mm[Hg]', 38);
    value('bed-1', 'mon-1', 'temp-body', 'Cel', 36.8);
    value('bed-2', 'ox-2', 'spo2', '%', 97);
    value('bed-2', 'ox-2', 'pulse-rate', '/min', 72);
    value('bed-2', 'mon-2', 'spo2', '%', 95);
    value('bed-2', 'mon-2', 'heart-rate', '/min', 73);
    value('bed-2', 'mon-2', 'resp-rate', '/min', 16);
  }
  /** One NIBP cuff measurement, published once (as the Modbus driver does), measured `ageMs` ago. */
  function publishNibp(bedId: string, deviceId: string, ageMs: number, values: [number, number, number]): void {
    const now = Date.now();
    (['nibp-sys', 'nibp-dia', 'nibp-mean'] as const).forEach((metric, i) =>
      observations$.next(observation({ bedId, deviceId, metric, code: 150021 + i, unit: 'mm[Hg]', value: values[i], deviceTime: now - ageMs, receivedAt: now })));
  }

  beforeAll(async () => {
    const root = packageRoot();
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.web.json')], { stdio: 'pipe' });
    server = await startStationServer({
      host: '127.0.0.1', port: 0, logger: silentLogger(), observations$, status$, alarms$, waveforms$,
      beds: [
        { id: 'bed-1', label: 'Bed 1', session: 'iv-ketamine', devices: [
          { id: 'ox-1', driver: 'masimo-ascii', transport: 'tcp://127.0.0.1:4001' },
          { id: 'mon-1', driver: 'modbus', transport: 'tcp://127.0.0.1:5020' },
        ] },
        { id: 'bed-2', label: 'Bed 2', session: 'im-ketamine', devices: [
          { id: 'ox-2', driver: 'nonin-binary', transport: 'tcp://127.0.0.1:4003' },
          { id: 'mon-2', driver: 'modbus', transport: 'tcp://127.0.0.1:5021' },
        ] },
        { id: 'bed-3', label: 'Bed 3', session: 'other', devices: [{ id: 'ox-3', driver: 'masimo-ascii', transport: 'tcp://10.0.0.7:4001' }] },
      ],
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    const now = Date.now();
    for (const [bedId, deviceId, driver] of [['bed-1', 'ox-1', 'masimo-ascii'], ['bed-1', 'mon-1', 'modbus'], ['bed-2', 'ox-2', 'nonin-binary'], ['bed-2', 'mon-2', 'modbus'], ['bed-3', 'ox-3', 'masimo-ascii']] as const) {
      status$.next(status({ bedId, deviceId, driver, lastDataAt: now, since: now }));
    }
    publishNumerics();
    numerics = setInterval(publishNumerics, 1000);
    await page.goto(server.url);
    await waitForText('value-bed-1-spo2', '98');
  });

  afterAll(async () => {
    pleth.stop();
    clearInterval(numerics);
    await browser?.close();
    await server?.close();
  });

  it('draws a live, sweeping pleth trace only in the tile of the bed whose device sends pleth', async () => {
    pleth.start();
    await waitForAttr(TRACE, 'data-state', { equals: 'live' });
    await waitForAttr(TRACE, 'data-samples-drawn', { atLeast: 100 });
    expect(await attr(TRACE, 'data-gaps')).toBe('0');
    const first = await canvasPixels();
    expect(first.lit).toBeGreaterThan(200);
    // Drawn in the SpO2 colour (#4cc9ff): blue well above red.
    expect(first.b - first.r).toBeGreaterThan(100);
    await frames(10);
    expect((await canvasPixels()).hash).not.toBe(first.hash);
    expect(await page.locator('[data-testid^="trace-bed-1-"]').count()).toBe(0);
    expect(await page.locator('[data-testid^="trace-bed-3-"]').count()).toBe(0);
    expect(await text(`${TRACE}`)).toContain('Pleth');
  });

  it('draws lost and invalid samples as gaps', async () => {
    pleth.lose(40);
    await waitForAttr(TRACE, 'data-gaps', { atLeast: 1 });
    pleth.invalidate(20);
    await waitForAttr(TRACE, 'data-gaps', { atLeast: 2 });
  });

  it('stops and greys the trace, saying so, when no chunk came for 2 s, and resumes when chunks return', async () => {
    await waitForAttr(TRACE, 'data-state', { equals: 'live' });
    pleth.stop();
    await waitForAttr(TRACE, 'data-state', { equals: 'stale' });
    await waitForText(`trace-status-bed-2-ox-2-pleth`, 'NO DATA');
    await frames(2);
    const stopped = await canvasPixels();
    expect(stopped.lit).toBeGreaterThan(100);
    // Grey (#5d6875), not the live colour.
    expect(Math.abs(stopped.r - 93)).toBeLessThan(12);
    expect(Math.abs(stopped.b - 117)).toBeLessThan(12);
    await frames(10);
    expect((await canvasPixels()).hash).toBe(stopped.hash);
    await byId('bed-bed-2').screenshot({ path: '/tmp/station-devices-stale.png' });

    pleth.lose(300);
    pleth.start();
    await waitForAttr(TRACE, 'data-state', { equals: 'live' });
    await frames(2);
    expect((await text('trace-status-bed-2-ox-2-pleth'))?.trim()).toBe('');
  });

  it('shows NIBP as sys/dia (mean) with the age of the measurement, greyed when older than a cuff cycle explains', async () => {
    publishNibp('bed-1', 'mon-1', 3 * MIN, [118, 76, 90]);
    publishNibp('bed-2', 'mon-2', 22 * MIN, [188, 124, 145]);
    await waitForText('value-bed-1-nibp', '118/76');
    expect(await text('mean-bed-1-nibp')).toBe('(90)');
    expect(await text('note-bed-1-nibp')).toBe('3 min ago');
    expect(await attr('metric-bed-1-nibp', 'data-freshness')).toBe('fresh');
    expect(await computed('value-bed-1-nibp', 'color')).toBe('rgb(244, 246, 249)');
    await waitForText('value-bed-2-nibp', '188/124');
    expect(await text('note-bed-2-nibp')).toBe('22 min ago');
    expect(await attr('metric-bed-2-nibp', 'data-freshness')).toBe('stale');
    expect(await computed('value-bed-2-nibp', 'color')).toBe('rgb(93, 104, 117)');
  });

  it('shows HR, RR, EtCO2 and temperature from the monitor, and SpO2 from the first configured device, naming the other', async () => {
    expect(await text('value-bed-1-heart-rate')).toBe('72');
    expect(await text('value-bed-1-resp-rate')).toBe('14');
    expect(await text('value-bed-1-etco2')).toBe('38');
    expect(await text('value-bed-1-temp-body')).toBe('36.8');
    expect(await text('metric-bed-1-temp-body')).toContain('°C');
    expect(await text('value-bed-2-spo2')).toBe('97');
    expect(await text('metric-bed-2-spo2')).toContain('from ox-2 · mon-2: 95');
    // A bed with only an oximeter gets no monitor boxes.
    expect(await page.locator('[data-testid="svitals-bed-3"]').isHidden()).toBe(true);
    // Each box's value and label fit inside it, with the widest NIBP (three digits each).
    for (const id of ['value-bed-1-nibp', 'mean-bed-2-nibp', 'value-bed-2-nibp', 'value-bed-1-temp-body', 'value-bed-1-etco2']) {
      const box = await byId(id).evaluate((el) => {
        const own = el.getBoundingClientRect();
        const outer = el.closest('.svital')?.getBoundingClientRect();
        return { left: own.left, right: own.right, outerLeft: outer?.left ?? 0, outerRight: outer?.right ?? 0 };
      });
      expect(box.left).toBeGreaterThanOrEqual(box.outerLeft);
      expect(box.right).toBeLessThanOrEqual(box.outerRight);
    }
    const head = await page.locator('[data-testid="metric-bed-1-etco2"] .svital-head').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(head.scroll).toBeLessThanOrEqual(head.client);
    await waitForAttr(TRACE, 'data-state', { equals: 'live' });
    await waitForAttr(TRACE, 'data-samples-drawn', { atLeast: 250 });
    await page.screenshot({ path: '/tmp/station-devices.png' });
  });
});
