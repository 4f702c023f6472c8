/**
 * The muscle arm, replay, earlier trials and SVG figures in the viewer (issues 10 item 7 and 14), in
 * Debian's Chromium with the same harness as viewer-second-edition.test.ts (built site, static server,
 * `window.__reach`). Waits are in simulated time; nothing is asserted on wall-clock time.
 * UPDATE_VIEWER_SCREENSHOT=1 also writes docs/viewer-muscle.png (the muscle arm mid-reach, earlier
 * reaches faded) and docs/viewer-replay.png (a reach replayed).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARM26_SKELETON } from '../../sim/arm-params.ts';
import { forwardKinematics } from '../../sim/dynamics.ts';
import { THEME } from '../../viewer/colors.ts';
import type { ReachDebug } from '../../viewer/debug-hook.ts';
import { serveStatic } from './static-server.ts';
import { CHROMIUM_ARGS, pixels, reachAndStop, setPaused } from './browser-harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Wall-clock ceiling for any one wait (ms); generous because the machine is shared. */
const WAIT = 60_000;
const MUSCLES = ['pectoralis', 'deltoid', 'brachioradialis', 'triceps lateral', 'biceps', 'triceps long'];

declare const window: { __reach: ReachDebug; devicePixelRatio: number; reloadMarker?: number };

const dist = (c: number[], hex: number) => Math.max(Math.abs(c[0] - (hex >> 16)), Math.abs(c[1] - ((hex >> 8) & 255)), Math.abs(c[2] - (hex & 255)));
/** Distance (px) from p to segment ab. */
const toSegment = (p: readonly number[], a: readonly number[], b: readonly number[]) => {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const u = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(p[0] - a[0] - u * dx, p[1] - a[1] - u * dy);
};

describe.skipIf(!existsSync(CHROMIUM))('web viewer: muscle arm, replay, earlier trials, SVG figures', () => {
  let outDir: string;
  let server: { url: string; close: () => Promise<void> };
  let context: BrowserContext;
  let profile: string;
  let page: Page;
  const errors: string[] = [];

  const hook = <T>(f: (r: ReachDebug) => T): Promise<T> => page.evaluate<T>(`(${f.toString()})(window.__reach)`);
  const pause = (on: boolean) => setPaused(page, on, WAIT);
  const reach = (k: number, after: number) => reachAndStop(page, k, after, WAIT);
  const client = (x: number, y: number) => page.evaluate(([a, b]) => window.__reach.worldToClient(a, b), [x, y] as const);
  const loadMuscle = async () => {
    await page.locator('#muscle-controller').click();
    await page.waitForFunction(() => window.__reach.controller === 'default-muscle-controller.json', null, { timeout: WAIT });
  };

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'reach-viewer-build-'));
    await build({ configFile: resolve(repo, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    server = await serveStatic(outDir);
    profile = mkdtempSync(join(tmpdir(), 'reach-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 800 }, acceptDownloads: true, args: CHROMIUM_ARGS });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => (window.__reach?.frames ?? 0) > 0, null, { timeout: WAIT });
    // The traces, state planes, unit and train panels load after the first frame.
    await page.waitForFunction(() => window.__reach.panelsReady, null, { timeout: WAIT });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('starts with the torque default: two torque series, no muscles drawn', async () => {
    expect(await hook((r) => [r.controller, r.body, r.muscles.length])).toEqual(['default-controller.json', 'motornet', 0]);
    expect((await hook((r) => r.chart('torque'))).labels).toEqual(['τ1 shoulder', 'τ2 elbow']);
    expect((await hook((r) => r.drawnArm)).muscles).toEqual([]);
  });

  it('"muscle arm" runs the arm26 controller without reloading; it draws six muscles, each in the colour of its activation', async () => {
    await page.evaluate(() => {
      window.reloadMarker = 1;
    });
    await loadMuscle();
    expect(await page.evaluate(() => window.reloadMarker)).toBe(1);
    expect(await hook((r) => [r.body, r.muscles])).toEqual(['arm26', MUSCLES]);
    expect(await page.locator('#muscle-controller').isDisabled()).toBe(true);
    expect(await page.locator('#default-controller').isDisabled()).toBe(false);
    await page.waitForFunction(() => window.__reach.referencesReady, null, { timeout: WAIT });
    // Mid-reach: the muscle default moves about 0.2 s after go (it sees the go cue 0.15 s late).
    await reach(2, 0.3);
    // Two frames after the pause, what is drawn is what holds still.
    const frames = await hook((r) => r.frames);
    await page.waitForFunction((n) => window.__reach.frames > n + 2, frames, { timeout: WAIT });
    const drawn = await hook((r) => r.drawnArm);
    expect(drawn.muscles.map((m) => m.name)).toEqual(MUSCLES);
    // The drawn pose is the arm's (the elbow where the skeleton puts it).
    const { elbow } = forwardKinematics(ARM26_SKELETON, drawn.q[0], drawn.q[1]);
    expect(Math.hypot(elbow[0] - drawn.elbow[0], elbow[1] - drawn.elbow[1])).toBeLessThan(1e-9);
    const acts = drawn.muscles.map((m) => m.activation);
    console.log(`viewer muscle arm 0.3 s after go: activations ${acts.map((a) => a.toFixed(3)).join(', ')}`);
    expect(acts.every((a) => a >= 0.001 && a <= 1)).toBe(true);
    // The default's effort cost keeps activations low (peaks of a few %), but well above the 0.001 floor.
    expect(Math.max(...acts), 'some muscle is active mid-reach').toBeGreaterThan(0.01);
    // More active muscles are drawn thicker and in a different colour than the least active.
    const lo = acts.indexOf(Math.min(...acts));
    const hi = acts.indexOf(Math.max(...acts));
    expect(drawn.muscles[hi].width).toBeGreaterThan(drawn.muscles[lo].width);
    expect(drawn.muscles[hi].color).not.toBe(drawn.muscles[lo].color);
    // On screen: a point 30 % along each muscle's first segment has that muscle's colour, where no other muscle passes within 5 px.
    const box = (await page.locator('#scene').boundingBox())!;
    const png = await page.locator('#scene').screenshot();
    const paths = await Promise.all(
      drawn.muscles.map(async (m) => {
        const pts: number[][] = [];
        for (let i = 0; i < m.path.length; i += 2) {
          const [x, y] = await client(m.path[i], m.path[i + 1]);
          pts.push([x - box.x, y - box.y]);
        }
        return pts;
      }),
    );
    const probes = paths.map((p) => [p[0][0] + 0.3 * (p[1][0] - p[0][0]), p[0][1] + 0.3 * (p[1][1] - p[0][1])]);
    const clear = probes.map((q, i) => paths.every((p, j) => j === i || p.slice(1).every((b, s) => toSegment(q, p[s], b) > 5)));
    const px = await pixels(page, png, box.width, probes as Array<[number, number]>);
    const checked = drawn.muscles.filter((_, i) => clear[i]);
    console.log(`viewer muscle arm: pixel colour vs activation colour (max channel difference) ${drawn.muscles.map((m, i) => `${m.name} ${clear[i] ? dist(px[i], m.color) : 'covered'}`).join(', ')}`);
    expect(checked.length).toBeGreaterThanOrEqual(4);
    drawn.muscles.forEach((m, i) => {
      if (clear[i]) expect(dist(px[i], m.color), `${m.name} drawn in its activation colour`).toBeLessThanOrEqual(24);
    });
    await pause(false);
  });

  it('plots the six activations where torques are plotted, equal to the recorded activations', async () => {
    await reach(5, 0.5);
    const chart = await hook((r) => r.chart('torque'));
    const { activation } = await hook((r) => r.trialState());
    expect(chart.labels).toEqual(MUSCLES);
    expect(chart.data.length).toBe(7);
    const n = chart.data[0].length;
    expect(n).toBeGreaterThan(50);
    for (let i = 0; i < 6; i++) {
      for (let t = 0; t < n; t++) expect(chart.data[i + 1][t]).toBe(activation[t * 6 + i]);
    }
    const legend = await page.locator('#torque-chart .u-legend .u-series .u-label').allTextContents();
    expect(legend.filter((l) => MUSCLES.includes(l))).toEqual(MUSCLES);
    await pause(false);
  });

  it('replay: the slider draws the recorded arm, muscles and hand at the chosen time, then "live" resumes', async () => {
    await reach(0, 0.9);
    // The run stopped where it was asked to, not where the test's poll happened to see it.
    expect(await hook((r) => r.trialTime - r.goTime)).toBeCloseTo(0.9, 9);
    const { state, activation } = await hook((r) => r.trialState());
    const goStep = await hook((r) => Math.round(r.goTime / 0.01));
    const [start, target] = await hook((r) => [r.start, r.target]);
    const box = (await page.locator('#scene').boundingBox())!;
    // Samples on the way, where the hand is clear of the start and target discs (drawn over the arm).
    const hands = Array.from({ length: state.length / 4 }, (_, t) => forwardKinematics(ARM26_SKELETON, state[4 * t], state[4 * t + 1]).hand);
    const away = hands.map((h, t) => [t, Math.min(Math.hypot(h[0] - start[0], h[1] - start[1]), Math.hypot(h[0] - target[0], h[1] - target[1]))] as const).filter(([t, d]) => t > goStep && d > 0.025);
    expect(away.length).toBeGreaterThanOrEqual(2);
    for (const k of [away[Math.floor(away.length / 2)][0], away[0][0]]) {
      await page.locator('#replay').fill(String(k));
      await page.waitForFunction((s) => window.__reach.drawnArm.sample === s, k, { timeout: WAIT });
      const drawn = await hook((r) => r.drawnArm);
      expect(drawn.q).toEqual([state[4 * k], state[4 * k + 1]]);
      const { hand } = forwardKinematics(ARM26_SKELETON, state[4 * k], state[4 * k + 1]);
      expect(Math.hypot(drawn.hand[0] - hand[0], drawn.hand[1] - hand[1])).toBeLessThan(1e-12);
      expect(drawn.muscles.map((m) => m.activation)).toEqual(activation.slice(6 * k, 6 * k + 6));
      expect(await page.locator('#replay-time').textContent()).toBe(`${((k - goStep) * 0.01).toFixed(2)} s from go`);
      // The hand disc is drawn where the recorded hand was.
      const frames = await hook((r) => r.frames);
      await page.waitForFunction((n) => window.__reach.frames > n + 1, frames, { timeout: WAIT });
      const [hx, hy] = await client(hand[0], hand[1]);
      const png = await page.locator('#scene').screenshot();
      const [c] = await pixels(page, png, box.width, [[hx - box.x, hy - box.y]]);
      expect(dist(c, THEME.hand), `hand colour at the recorded hand of sample ${k}`).toBeLessThanOrEqual(24);
    }
    try {
      if (process.env.UPDATE_VIEWER_SCREENSHOT) {
        await page.screenshot({ path: resolve(repo, 'docs/viewer-replay.png') });
        console.log('viewer: wrote docs/viewer-replay.png');
      }
      expect(await hook((r) => r.paused)).toBe(true);
    } finally {
      await page.locator('#replay-live').click();
    }
    await page.waitForFunction(() => !window.__reach.paused && window.__reach.drawnArm.sample === -1, null, { timeout: WAIT });
  });

  it('earlier trials: the chosen number of earlier hand paths is drawn', async () => {
    await page.locator('#overlay').selectOption('3');
    await reach(3, 0.05);
    await reach(6, 0.05);
    await page.waitForFunction(() => window.__reach.earlierTrials >= 4, null, { timeout: WAIT });
    await page.waitForFunction(() => window.__reach.drawnArm.overlays === 3, null, { timeout: WAIT });
    await page.locator('#overlay').selectOption('1');
    await page.waitForFunction(() => window.__reach.drawnArm.overlays === 1, null, { timeout: WAIT });
    // Asking for more than were kept draws all kept.
    const kept = await hook((r) => r.earlierTrials);
    await page.locator('#overlay').selectOption('10');
    await page.waitForFunction((n) => window.__reach.drawnArm.overlays === n, Math.min(10, kept), { timeout: WAIT });
    if (process.env.UPDATE_VIEWER_SCREENSHOT) {
      await reach(1, 0.17);
      await page.screenshot({ path: resolve(repo, 'docs/viewer-muscle.png') });
      console.log('viewer: wrote docs/viewer-muscle.png');
      await pause(false);
    }
  });

  it('SVG export: valid XML whose paths are the plotted data (activations, hand speed, PC plane)', async () => {
    await reach(4, 0.6);
    const svgOf = async (id: string) => {
      const [dl] = await Promise.all([page.waitForEvent('download', { timeout: WAIT }), page.locator('#export-svg').selectOption(id)]);
      expect(dl.suggestedFilename()).toBe(`default-muscle-controller-${id}.svg`);
      return readFileSync(await dl.path(), 'utf8');
    };
    /** Parsed in the browser's XML parser: parse errors, the plot box and ranges, each series path's label and points. */
    const parse = (text: string) =>
      page.evaluate((src) => {
        const doc = new DOMParser().parseFromString(src, 'image/svg+xml');
        const plot = doc.querySelector('g.plot');
        const num = (k: string) => Number(plot?.getAttribute(k));
        return {
          error: doc.querySelector('parsererror')?.textContent ?? null,
          root: doc.documentElement.nodeName,
          box: ['data-left', 'data-top', 'data-width', 'data-height', 'data-x-min', 'data-x-max', 'data-y-min', 'data-y-max'].map(num),
          series: Array.from(doc.querySelectorAll('path.series')).map((p) => ({
            label: p.getAttribute('data-label')!,
            points: Array.from(p.getAttribute('d')!.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g), (m) => [Number(m[1]), Number(m[2])]),
          })),
        };
      }, text);
    /** Path points back in data units. */
    const toData = (box: number[], pts: number[][]) => {
      const [left, top, w, h, x0, x1, y0, y1] = box;
      return pts.map(([x, y]) => [x0 + ((x - left) / w) * (x1 - x0), y0 + (1 - (y - top) / h) * (y1 - y0)]);
    };
    for (const [id, which] of [
      ['torque-chart', 'torque'],
      ['speed-chart', 'speed'],
    ] as const) {
      const svg = await parse(await svgOf(id));
      expect(svg.error).toBeNull();
      expect(svg.root).toBe('svg');
      const chart = await page.evaluate((w) => window.__reach.chart(w), which);
      const [, , w, h, x0, x1, y0, y1] = svg.box;
      const tol = [(0.006 / w) * (x1 - x0), (0.006 / h) * (y1 - y0)];
      chart.labels.forEach((label, i) => {
        const s = svg.series.find((x) => x.label === label);
        expect(s, `${id}: a path for ${label}`).toBeDefined();
        const pts = toData(svg.box, s!.points);
        expect(pts.length).toBe(chart.data[0].length);
        pts.forEach(([x, y], t) => {
          expect(Math.abs(x - chart.data[0][t])).toBeLessThanOrEqual(tol[0]);
          expect(Math.abs(y - chart.data[i + 1][t])).toBeLessThanOrEqual(tol[1]);
        });
      });
      console.log(`viewer SVG ${id}: ${svg.series.length} paths, ${chart.labels.length} plotted series of ${chart.data[0].length} points`);
    }
    const pc = await parse(await svgOf('pc-plane'));
    expect(pc.error).toBeNull();
    expect(pc.series.map((s) => s.label)).toEqual([...Array.from({ length: 8 }, (_, k) => `target ${k + 1}`), 'this trial']);
    const hand = await hook((r) => r.trialTrace());
    expect(pc.series.at(-1)!.points.length).toBe(hand.times.length);
    await pause(false);
  });

  it('"default controller" brings back the torque arm and its torque chart', async () => {
    await page.locator('#default-controller').click();
    await page.waitForFunction(() => window.__reach.controller === 'default-controller.json', null, { timeout: WAIT });
    expect((await hook((r) => r.chart('torque'))).labels).toEqual(['τ1 shoulder', 'τ2 elbow']);
    const frames = await hook((r) => r.frames);
    await page.waitForFunction((n) => window.__reach.frames > n + 2, frames, { timeout: WAIT });
    expect((await hook((r) => r.drawnArm)).muscles).toEqual([]);
    expect(await hook((r) => r.earlierTrials)).toBe(0);
    expect(errors).toEqual([]);
  });
});
