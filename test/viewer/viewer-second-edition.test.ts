/**
 * The viewer's second edition (issue 14) in Debian's Chromium. The defects a new user met: keys after a
 * dropdown choice, panels live after the recorded trial, targets over the arm, sharp canvases at device
 * scale 2, layout at 800, 1366 and 1920 px, dismissable messages, the status clock from go, a visible
 * drag spring. Then what they expected: target colour key and heat-map colour bar, help (`?`), back to
 * the default controller, a choice of instructed delay. Same harness as viewer.test.ts (built site,
 * static server, `window.__reach`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conditionColor, divergingRgba, THEME } from '../../viewer/colors.ts';
import type { ReachDebug } from '../../viewer/debug-hook.ts';
import { panelSizes } from '../../viewer/layout.ts';
import { serveStatic } from './static-server.ts';
import { CHROMIUM_ARGS, pixels, reachAndStop, setPaused } from './browser-harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const checkpointPath = resolve(repo, process.env.REACH_CHECKPOINT ?? 'models/default-controller.json');
/** Wall-clock ceiling for any one wait (ms); generous because the machine is shared. */
const WAIT = 60_000;
/** Drawn target radius: the 1 cm reach tolerance (m). */
const TARGET_RADIUS = 0.01;

declare const window: { __reach: ReachDebug; devicePixelRatio: number; innerWidth: number; innerHeight: number };
declare const document: { querySelector(s: string): { getBoundingClientRect(): { bottom: number; right: number; top: number } } | null; querySelectorAll(s: string): ArrayLike<{ getClientRects(): ArrayLike<unknown>; getBoundingClientRect(): { bottom: number } ; width: number; clientWidth: number; height: number; clientHeight: number; id: string }>; documentElement: { scrollWidth: number } };

const near = (c: number[], hex: number, tol: number) => Math.max(Math.abs(c[0] - (hex >> 16)), Math.abs(c[1] - ((hex >> 8) & 255)), Math.abs(c[2] - (hex & 255))) <= tol;

describe.skipIf(!existsSync(CHROMIUM))('web viewer, second edition (issue 14)', () => {
  let outDir: string;
  let server: { url: string; close: () => Promise<void> };
  const opened: Array<{ context: BrowserContext; profile: string }> = [];
  let page: Page;
  const errors: string[] = [];

  const open = async (width: number, height: number, deviceScaleFactor = 1) => {
    const profile = mkdtempSync(join(tmpdir(), 'reach-chromium-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, viewport: { width, height }, deviceScaleFactor, acceptDownloads: true, args: CHROMIUM_ARGS });
    opened.push({ context, profile });
    const p = context.pages()[0] ?? (await context.newPage());
    p.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(server.url);
    await p.waitForFunction(() => (window.__reach?.frames ?? 0) > 0, null, { timeout: WAIT });
    // The traces, state planes, unit and train panels load after the first frame.
    await p.waitForFunction(() => window.__reach.panelsReady, null, { timeout: WAIT });
    return p;
  };
  const hook = <T>(f: (r: ReachDebug) => T, p = page): Promise<T> => p.evaluate<T>(`(${f.toString()})(window.__reach)`);
  const waitSim = async (seconds: number) => {
    const t0 = await hook((r) => r.simTime);
    await page.waitForFunction((t) => window.__reach.simTime >= t, t0 + seconds, { timeout: WAIT, polling: 50 });
  };
  const pause = (on: boolean) => setPaused(page, on, WAIT);
  const reach = (k: number, after: number) => reachAndStop(page, k, after, WAIT);
  const client = (x: number, y: number) => page.evaluate(([a, b]) => window.__reach.worldToClient(a, b), [x, y] as const);

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'reach-viewer-build-'));
    await build({ configFile: resolve(repo, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    server = await serveStatic(outDir);
    page = await open(1280, 800);
    await page.waitForFunction(() => window.__reach.referencesReady, null, { timeout: WAIT });
  });

  afterAll(async () => {
    for (const { context, profile } of opened) {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('0: the first layout is for the page as it is once the control bar is filled in, as after a resize', async () => {
    // The delay choices, the train panel and the controller's kind fill the control bar in after the first
    // layout and it may wrap: the scene and panels go under it as it then is, not as it was.
    const page0 = await page.evaluate(() => {
      const d = globalThis as unknown as { document: { querySelector(s: string): { clientWidth: number; getBoundingClientRect(): { top: number } } }; innerHeight: number; scrollY: number };
      return [d.document.querySelector('main').clientWidth, d.innerHeight, d.document.querySelector('#scene-wrap').getBoundingClientRect().top + d.scrollY] as const;
    });
    const want = panelSizes(...page0);
    await expect.poll(async () => (await page.locator('#heatmap').boundingBox())!.height, { timeout: WAIT }).toBe(want.heatmap);
    expect((await page.locator('#heatmap').boundingBox())!.width).toBe(want.panels);
    expect((await page.locator('#scene').boundingBox())!.width).toBe(want.scene);
  });

  it('1: after a dropdown choice the shortcuts still work and do not change the dropdown', async () => {
    try {
      await dropdownThenKeys();
    } finally {
      await page.locator('#speed').selectOption('1');
      await page.locator('#sort').selectOption('pd');
      await pause(false);
    }
  });
  const dropdownThenKeys = async () => {
    await page.locator('#speed').focus();
    await page.locator('#speed').selectOption('0.1');
    const trials = await hook((r) => r.trials);
    await page.keyboard.press('3');
    await page.waitForFunction((n) => window.__reach.trials > n, trials, { timeout: WAIT });
    expect(await hook((r) => r.targetIndex)).toBe(2);
    expect(await page.locator('#speed').inputValue()).toBe('0.1');
    await page.locator('#sort').focus();
    await page.locator('#sort').selectOption('pc1');
    await page.keyboard.press(' ');
    await page.waitForFunction(() => window.__reach.paused, null, { timeout: WAIT });
    // '.' runs the arm to the next 10 ms control step (the first one may finish a step begun before the pause).
    const t0 = await hook((r) => r.simTime);
    await page.keyboard.press('.');
    try {
      await page.waitForFunction((t) => window.__reach.simTime > t + 1e-6 && Math.abs(window.__reach.trialTime * 100 - Math.round(window.__reach.trialTime * 100)) < 1e-6, t0, { timeout: WAIT });
    } catch (err) {
      const state = await hook((r) => ({ paused: r.paused, simTime: r.simTime, frames: r.frames, phase: r.phase }));
      const focus = await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id);
      throw new Error(`'.' did not step from simTime ${t0}: ${JSON.stringify(state)}, focus #${focus}, errors ${errors}`, { cause: err });
    }
    expect(await page.locator('#sort').inputValue()).toBe('pc1');
    // A focused select gets the shortcut, not its type-ahead.
    await page.locator('#speed').focus();
    await page.keyboard.press('1');
    await page.waitForFunction(() => window.__reach.targetIndex === 0, null, { timeout: WAIT });
    expect(await page.locator('#speed').inputValue()).toBe('0.1');
  };

  it('2: after the recorded 2 s a pulse still shows in the heat map, traces and state trail', async () => {
    await reach(4, 2.3);
    expect(await hook((r) => r.phase)).toBe('done');
    const shot = async () => Promise.all(['#heatmap', '#torque-chart', '#pc-plane'].map((s) => page.locator(s).screenshot()));
    const before = await shot();
    const lastBefore = (await hook((r) => r.trialTrace())).times.at(-1)!;
    await pause(false);
    await page.locator('#pulse').click();
    await waitSim(0.6);
    await pause(true);
    const after = await shot();
    const trace = await hook((r) => r.trialTrace());
    const goTime = await hook((r) => r.goTime);
    const trialTime = await hook((r) => r.trialTime);
    console.log(`viewer: ${(trialTime - goTime).toFixed(2)} s after go the record ends at ${(trace.times.at(-1)! - goTime).toFixed(2)} s (it ended at ${(lastBefore - goTime).toFixed(2)} s before the pulse)`);
    expect(trace.times.at(-1)!).toBeGreaterThan(lastBefore + 0.5);
    expect(trace.times.at(-1)!).toBeGreaterThan(trialTime - 0.011);
    expect(trace.jpc).not.toBeNull();
    expect(trace.jpc!.length).toBe(trace.hand.length);
    ['heat map', 'torque chart', 'PC plane'].forEach((name, i) => expect(after[i].equals(before[i]), `${name} unchanged after the pulse`).toBe(false));
    await pause(false);
  });

  it('3: the targets and their rings are drawn over the arm at the start posture', async () => {
    await pause(true);
    await page.keyboard.press('1');
    await page.keyboard.press('.');
    await page.waitForFunction(() => window.__reach.targetIndex === 0 && window.__reach.trialTime > 0, null, { timeout: WAIT });
    const [hand, elbow, targets] = await hook((r) => [r.hand, r.elbow, r.targets] as const);
    // Distance from each target to the arm's two links (m): the ones under the arm are the test's subject.
    const toSegment = (p: number[], a: number[], b: number[]) => {
      const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
      const u = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)));
      return Math.hypot(p[0] - a[0] - u * dx, p[1] - a[1] - u * dy);
    };
    const under = targets.map((t, k) => [k, Math.min(toSegment(t, [0, 0], elbow), toSegment(t, elbow, hand))] as const).filter(([, d]) => d < 0.008);
    console.log(`viewer: targets under the arm in this posture: ${under.map(([k, d]) => `${k + 1} (${(d * 1000).toFixed(1)} mm from a link axis)`).join(', ') || 'none'}`);
    expect(under.length).toBeGreaterThan(0);
    const box = (await page.locator('#scene').boundingBox())!;
    const png = await page.locator('#scene').screenshot();
    for (const [k] of under) {
      const [cx, cy] = await client(targets[k][0], targets[k][1]);
      const [ex] = await client(targets[k][0] + TARGET_RADIUS, targets[k][1]);
      const r = ex - cx;
      const pts: Array<readonly [number, number]> = [];
      for (let a = 0; a < 24; a++) for (const dr of [-0.5, 0, 0.5]) pts.push([cx - box.x + (r + dr) * Math.cos((a * Math.PI) / 12), cy - box.y + (r + dr) * Math.sin((a * Math.PI) / 12)]);
      const px = await pixels(page, png, box.width, pts);
      const color = conditionColor(k, targets.length);
      let ringed = 0;
      for (let a = 0; a < 24; a++) if ([0, 1, 2].some((j) => near(px[a * 3 + j], color, 50))) ringed++;
      expect(ringed, `target ${k + 1}: ring pixels in its colour, of 24`).toBeGreaterThanOrEqual(20);
    }
    await pause(false);
  });

  it('4: at device scale 2 every panel canvas has a 2× backing store', async () => {
    const p = await open(1280, 800, 2);
    const sizes = await p.evaluate(() =>
      Array.from(document.querySelectorAll('#heatmap, #pc-plane, #jpc-plane, #scene, #torque-chart canvas, #speed-chart canvas')).map((c) => ({ id: c.id || 'chart', ratio: c.width / c.clientWidth, vratio: c.height / c.clientHeight })),
    );
    expect(sizes.length).toBe(6);
    for (const s of sizes) {
      expect(s.ratio, `${s.id} width`).toBeCloseTo(2, 1);
      expect(s.vratio, `${s.id} height`).toBeCloseTo(2, 1);
    }
  });

  it('5: the layout fills 1920 px, keeps the legends above the fold at 1366×768, and does not break the status at 800 px', async () => {
    const measure = async (width: number, height: number) => {
      await page.setViewportSize({ width, height });
      const frames = await hook((r) => r.frames);
      await page.waitForFunction((n) => window.__reach.frames > n + 2, frames, { timeout: WAIT });
      return page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        panelsRight: document.querySelector('#panels')!.getBoundingClientRect().right,
        panelsBottom: document.querySelector('#panels')!.getBoundingClientRect().bottom,
        legendBottom: Math.max(...Array.from(document.querySelectorAll('#panels .u-legend')).map((l) => l.getBoundingClientRect().bottom)),
        statusLines: Array.from(document.querySelectorAll('#status > span')).map((s) => s.getClientRects().length),
      }));
    };
    const wide = await measure(1920, 1080);
    console.log(`viewer layout 1920×1080: panels end at ${wide.panelsRight.toFixed(0)} px`);
    expect(wide.panelsRight).toBeGreaterThan(1920 * 0.95);
    expect(wide.scrollWidth).toBeLessThanOrEqual(1920);
    const laptop = await measure(1366, 768);
    console.log(`viewer layout 1366×768: legends end at ${laptop.legendBottom.toFixed(0)} px, panels at ${laptop.panelsBottom.toFixed(0)} px`);
    expect(laptop.legendBottom).toBeLessThanOrEqual(768);
    expect(laptop.scrollWidth).toBeLessThanOrEqual(1366);
    const narrow = await measure(800, 900);
    expect(narrow.scrollWidth).toBeLessThanOrEqual(800);
    expect(narrow.statusLines.every((n) => n === 1), `status items' line boxes ${narrow.statusLines}`).toBe(true);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('6: a message floats over the page without moving it, and goes away (× for errors, by itself for info)', async () => {
    const controlsTop = async () => (await page.locator('#controls').boundingBox())!.y;
    const y0 = await controlsTop();
    await page.locator('#checkpoint-file').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format"') });
    await page.waitForFunction(() => window.__reach.message?.includes('broken.json') ?? false, null, { timeout: WAIT });
    expect(await page.locator('#message').isVisible()).toBe(true);
    expect(await controlsTop()).toBe(y0);
    await page.locator('#message-close').click();
    expect(await hook((r) => r.message ?? '')).not.toMatch(/Reference reaches/);
    expect(await page.locator('#message').isVisible()).toBe(false);
    await page.locator('#checkpoint-file').setInputFiles({ name: 'again.json', mimeType: 'application/json', buffer: readFileSync(checkpointPath) });
    await page.waitForFunction(() => window.__reach.message?.includes('Loaded again.json') ?? false, null, { timeout: WAIT });
    await page.waitForFunction(() => window.__reach.message === null, null, { timeout: WAIT });
    expect(await page.locator('#message').isVisible()).toBe(false);
    await page.waitForFunction(() => window.__reach.referencesReady, null, { timeout: WAIT });
  });

  it('7: the status clock is time from go, like every panel (negative during the delay)', async () => {
    await pause(true);
    await page.keyboard.press('2');
    for (let i = 0; i < 5; i++) await page.keyboard.press('.');
    await page.waitForFunction(() => window.__reach.targetIndex === 1 && window.__reach.trialTime >= 0.05 - 1e-9, null, { timeout: WAIT });
    const frames = await hook((r) => r.frames);
    await page.waitForFunction((n) => window.__reach.frames > n + 1, frames, { timeout: WAIT });
    const [trialTime, goTime] = await hook((r) => [r.trialTime, r.goTime] as const);
    const shown = Number(await page.locator('#trial-time').textContent());
    expect(goTime).toBeGreaterThan(trialTime);
    expect(shown).toBeCloseTo(trialTime - goTime, 2);
    expect(await page.locator('#status').textContent()).toContain('time from go');
    await pause(false);
  });

  it('8: the drag spring is a bright line with a dark casing, visible over the arm', async () => {
    await pause(true);
    try {
      await springOverArm();
    } finally {
      await page.mouse.up();
      await pause(false);
    }
  });
  const springOverArm = async () => {
    const [hand, elbow] = await hook((r) => [r.hand, r.elbow] as const);
    const cursor = [hand[0] + 0.6 * (elbow[0] - hand[0]), hand[1] + 0.6 * (elbow[1] - hand[1])];
    const [hx, hy] = await client(hand[0], hand[1]);
    const [gx, gy] = await client(cursor[0], cursor[1]);
    await page.mouse.move(hx, hy);
    await page.mouse.down();
    await page.mouse.move(gx, gy, { steps: 4 });
    const frames = await hook((r) => r.frames);
    await page.waitForFunction((n) => window.__reach.frames > n + 1, frames, { timeout: WAIT });
    const box = (await page.locator('#scene').boundingBox())!;
    const png = await page.locator('#scene').screenshot();
    const len = Math.hypot(gx - hx, gy - hy);
    const [nx, ny] = [-(gy - hy) / len, (gx - hx) / len];
    const mid = [(hx + gx) / 2 - box.x, (hy + gy) / 2 - box.y];
    // Core: 4 px wide; casing: 9 px. Each side's casing is sampled at 3.5 and 4 px, as a sample point rounds to a whole
    // pixel and may land in the core's anti-aliased edge; the casing is there if either is dark.
    const offsets = [-0.5, 0, 0.5, -3.5, -4, 3.5, 4];
    const px = await pixels(page, png, box.width, offsets.map((o) => [mid[0] + o * nx, mid[1] + o * ny] as const));
    for (let i = 0; i < 3; i++) expect(near(px[i], THEME.spring, 60), `spring core at ${offsets[i]} px: ${px[i]}`).toBe(true);
    for (const i of [3, 5]) {
      const darkest = Math.min(Math.max(...px[i]), Math.max(...px[i + 1]));
      expect(darkest, `spring casing at ${offsets[i]} / ${offsets[i + 1]} px: ${px[i]} / ${px[i + 1]}`).toBeLessThan(90);
    }
  };

  it('the PC and jPC panels carry a key of the 8 target colours, and the heat map a blue-white-red colour bar', async () => {
    const n = (await hook((r) => r.targets)).length;
    for (const id of ['#pc-plane', '#jpc-plane']) {
      const box = (await page.locator(id).boundingBox())!;
      const png = await page.locator(id).screenshot();
      // The key sits in the plot's bottom-right corner (plot-frame margins: right 10, bottom 32 px).
      const [right, bottom] = [box.width - 10, box.height - 32];
      const pts: Array<readonly [number, number]> = [];
      for (let x = right - 8 * 16; x < right; x++) for (let y = bottom - 20; y < bottom; y++) pts.push([x, y]);
      const px = await pixels(page, png, box.width, pts);
      for (let k = 0; k < n; k++) {
        const c = conditionColor(k, n);
        const hits = px.filter((p) => near(p, c, 12)).length;
        expect(hits, `${id}: pixels in target ${k + 1}'s colour in the key's corner`).toBeGreaterThan(10);
      }
    }
    const box = (await page.locator('#heatmap').boundingBox())!;
    const png = await page.locator('#heatmap').screenshot();
    // The bar is the rightmost thing: find, along the canvas's right quarter-inch, the column whose top is red and bottom blue.
    const ref = new Uint8ClampedArray(8);
    divergingRgba(1, ref, 0);
    divergingRgba(-1, ref, 4);
    const red = (ref[0] << 16) | (ref[1] << 8) | ref[2];
    const blue = (ref[4] << 16) | (ref[5] << 8) | ref[6];
    const cols = Array.from({ length: 30 }, (_, i) => box.width - 34 + i);
    const [top, mid, bot] = [20 + 3, 20 + (box.height - 52) / 2, box.height - 32 - 3];
    const px = await pixels(page, png, box.width, cols.flatMap((x) => [[x, top], [x, mid], [x, bot]] as const));
    const bars = cols.filter((_, i) => near(px[3 * i], red, 30) && near(px[3 * i + 2], blue, 30) && Math.min(...px[3 * i + 1]) > 200);
    expect(bars.length, 'heat-map columns red at the top, near-white in the middle, blue at the bottom').toBeGreaterThan(3);
  });

  it('? opens a help that explains the panels and lists every shortcut (p included); Esc closes it', async () => {
    expect(await page.locator('#help').isVisible()).toBe(false);
    await page.keyboard.press('?');
    await expect.poll(() => page.locator('#help').isVisible(), { timeout: WAIT }).toBe(true);
    const text = (await page.locator('#help').textContent())!;
    for (const phrase of ['R²skew', 'white trail', 'time from go', 'pulse', 'pause']) expect(text).toContain(phrase);
    const keys = await page.locator('#help kbd').allTextContents();
    for (const k of ['1', '8', 'space', '.', 'p', '?', 'Esc']) expect(keys).toContain(k);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#help').isVisible(), { timeout: WAIT }).toBe(false);
    await page.locator('#help-button').click();
    await expect.poll(() => page.locator('#help').isVisible(), { timeout: WAIT }).toBe(true);
    await page.locator('#help-close').click();
    await expect.poll(() => page.locator('#help').isVisible(), { timeout: WAIT }).toBe(false);
  });

  it('the instructed delay can be chosen: go comes that long after the target, in the trained range or at 0', async () => {
    const choices = await page.locator('#delay option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    console.log(`viewer: delay choices ${choices.join(', ')} s`);
    expect(choices).toContain('0');
    for (const v of ['0', choices.at(-1)!]) {
      await page.locator('#delay').selectOption(v);
      const trials = await hook((r) => r.trials);
      await page.keyboard.press('4');
      await page.waitForFunction((n) => window.__reach.trials > n, trials, { timeout: WAIT });
      // "No delay" is go at the first control step (10 ms): the reference reaches need a step before go.
      expect(await hook((r) => r.goTime)).toBeCloseTo(Math.max(Number(v), 0.01), 9);
    }
    await page.waitForFunction(() => window.__reach.referencesReady, null, { timeout: WAIT });
    expect(await hook((r) => r.message ?? '')).not.toMatch(/Reference reaches/);
  });

  it('hovering the heat map reads out a unit; clicking its row shows that unit\'s trace and tuning curve', async () => {
    await reach(6, 0.5);
    try {
      await hoverAndPickUnit();
    } finally {
      await pause(false);
    }
  });
  const hoverAndPickUnit = async () => {
    const [units, order, trace, plot] = await hook((r) => [r.units, r.unitOrder, r.trialTrace(), r.heatmapPlot] as const);
    expect(order).not.toBeNull();
    expect(plot).not.toBeNull();
    const box = (await page.locator('#heatmap').boundingBox())!;
    // A row is about 1 CSS px high and Chromium hands mouse events whole client px: aim at the first whole
    // pixel inside the row (and sample), not at its centre, which may fall in the next row.
    const row = 5;
    const sample = trace.times.length - 3;
    const [rowTop, rowBottom] = [row, row + 1].map((i) => box.y + plot!.top + (i / units) * plot!.height);
    const [colLeft, colRight] = [sample, sample + 1].map((i) => box.x + plot!.left + (i / plot!.samples) * plot!.width);
    const [x, y] = [Math.ceil(colLeft), Math.ceil(rowTop)];
    expect(y, 'a whole pixel inside the row').toBeLessThan(rowBottom);
    expect(x, 'a whole pixel inside the sample').toBeLessThan(colRight);
    await page.mouse.move(x, y);
    await expect.poll(() => page.locator('#readout').isVisible(), { timeout: WAIT }).toBe(true);
    const text = (await page.locator('#readout').textContent())!;
    expect(text).toContain(`unit ${order![row]} `);
    expect(text).toContain(`${(trace.times[sample] - (await hook((r) => r.goTime))).toFixed(2)} s from go`);
    await page.mouse.click(x, y);
    expect(await hook((r) => r.selectedUnit)).toBe(order![row]);
    await expect.poll(() => page.locator('#unit-card').isVisible(), { timeout: WAIT }).toBe(true);
    // The tuning half shows the 8 target-coloured dots.
    const card = (await page.locator('#unit-panel').boundingBox())!;
    const png = await page.locator('#unit-panel').screenshot();
    const pts: Array<readonly [number, number]> = [];
    for (let px = Math.round(card.width * 0.58); px < card.width; px += 1) for (let py = 20; py < card.height - 32; py += 1) pts.push([px, py]);
    const px = await pixels(page, png, card.width, pts);
    const n = (await hook((r) => r.targets)).length;
    for (let k = 0; k < n; k++) expect(px.filter((p) => near(p, conditionColor(k, n), 12)).length, `tuning dot of target ${k + 1}`).toBeGreaterThan(4);
    await page.locator('#unit-close').click();
    expect(await hook((r) => r.selectedUnit)).toBe(-1);
  };

  it('the trial .npy comes with a .json naming its columns and its context; a panel saves as PNG', async () => {
    await page.locator('#curl').check();
    const setNoise = (v: string) =>
      page.locator('#noise').evaluate((el, value) => {
        const input = el as unknown as { value: string; dispatchEvent(e: Event): boolean };
        input.value = value;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }, v);
    await setNoise('2');
    await reach(2, 0.3);
    const downloads: Array<{ name: string; bytes: Buffer }> = [];
    const got = new Promise<void>((done) => {
      page.on('download', async (d) => {
        downloads.push({ name: d.suggestedFilename(), bytes: readFileSync(await d.path()) });
        if (downloads.length === 2) done();
      });
    });
    await page.locator('#download-npy').click();
    await got;
    page.removeAllListeners('download');
    const json = downloads.find((d) => d.name.endsWith('.json'))!;
    const npy = downloads.find((d) => d.name.endsWith('.npy'))!;
    expect(json.name).toBe(npy.name.replace(/\.npy$/, '.json'));
    const ctx = JSON.parse(json.bytes.toString('utf8'));
    const samples = (await hook((r) => r.trialTrace())).times.length;
    expect(ctx.dataFile).toBe(npy.name);
    expect(ctx.shape).toEqual([samples, ctx.columns.length]);
    expect(ctx.columns.slice(0, 2)).toEqual(['t_s', 't_from_go_s']);
    expect(ctx.columns.filter((c: string) => /^h\d+$/.test(c)).length).toBe(await hook((r) => r.units));
    expect(ctx.controller.file).toBe(await hook((r) => r.controller));
    expect(ctx.trial.target).toBe(3);
    expect(ctx.trial.goTime_s).toBeCloseTo(await hook((r) => r.goTime), 12);
    expect(ctx.field.curl_N_s_per_m).toBe(13);
    expect(ctx.feedbackNoise.multiplierOfTrained).toBe(2);
    expect(ctx.seed).toBe(1);
    const [png] = await Promise.all([page.waitForEvent('download', { timeout: WAIT }), page.locator('#export').selectOption('jpc-plane')]);
    const bytes = readFileSync(await png.path());
    expect(png.suggestedFilename()).toMatch(/jpc-plane\.png$/);
    expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
    const box = (await page.locator('#jpc-plane').boundingBox())!;
    expect(bytes.readUInt32BE(16)).toBe(Math.round(box.width * (await page.evaluate(() => window.devicePixelRatio))));
    expect(await page.locator('#export').inputValue()).toBe('');
    await page.locator('#curl').uncheck();
    await setNoise('1');
    await pause(false);
  });

  it('"default controller" goes back to the bundled controller without reloading the page', async () => {
    await page.locator('#checkpoint-file').setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: readFileSync(checkpointPath) });
    await page.waitForFunction(() => window.__reach.controller === 'mine.json', null, { timeout: WAIT });
    expect(await page.locator('#default-controller').isDisabled()).toBe(false);
    const frames = await hook((r) => r.frames);
    await page.locator('#default-controller').click();
    await page.waitForFunction(() => window.__reach.controller === 'default-controller.json', null, { timeout: WAIT });
    expect(await hook((r) => r.frames)).toBeGreaterThan(frames);
    expect(await page.locator('#default-controller').isDisabled()).toBe(true);
    await page.waitForFunction(() => window.__reach.referencesReady, null, { timeout: WAIT });
    expect(errors).toEqual([]);
  });
});
