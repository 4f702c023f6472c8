/**
 * The web viewer in a real browser: the built site (vite build, served by a tiny static server on a
 * free 127.0.0.1 port) in Debian's Chromium driven by playwright-core. Positions come from the page's
 * read-only `window.__reach` hook; "drawn" is checked on screenshot pixels. Waits are in simulated time
 * (the hook's clock), so a slow machine only makes the tests take longer.
 *
 * The controller is the one the viewer bundles: models/default-controller.json (or REACH_CHECKPOINT).
 * Set UPDATE_VIEWER_SCREENSHOT=1 to write the README's docs/viewer.png.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../core/npy.ts';
import { forwardKinematics } from '../../sim/dynamics.ts';
import { parseCheckpoint } from '../../model/checkpoint.ts';
import type { ReachDebug } from '../../viewer/debug-hook.ts';
import { CHROMIUM_ARGS, pixels } from './browser-harness.ts';
import { serveStatic } from './static-server.ts';

const CHROMIUM = '/usr/bin/chromium';
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const checkpointPath = resolve(repo, process.env.REACH_CHECKPOINT ?? 'models/default-controller.json');
/** Wall-clock ceiling for any one wait (ms); generous because the machine is shared. */
const WAIT = 60_000;
/** In the page: true once the viewer has drawn a frame, false after WAIT ms without one (polled by timer: no work in its frames). */
const FIRST_FRAME_SEEN = `new Promise((resolve) => { const t0 = performance.now(); const poll = () => ((window.__reach?.frames ?? 0) > 0 ? resolve(true) : performance.now() - t0 > ${WAIT} ? resolve(false) : setTimeout(poll, 50)); poll(); })`;

type Hook = ReachDebug;
declare const window: { __reach: Hook; dispatchEvent(e: Event): boolean };

describe.skipIf(!existsSync(CHROMIUM))('web viewer in Chromium', () => {
  let context: BrowserContext;
  let page: Page;
  let server: { url: string; close: () => Promise<void> };
  let outDir: string;
  let profile: string;
  let navigationMs = 0;
  const errors: string[] = [];

  /** Evaluate f(window.__reach) in the page. */
  const hook = <T>(f: (r: Hook) => T): Promise<T> => page.evaluate<T>(`(${f.toString()})(window.__reach)`);
  const read = () =>
    hook((r) => ({
      hand: r.hand,
      phase: r.phase,
      simTime: r.simTime,
      trialTime: r.trialTime,
      goTime: r.goTime,
      frames: r.frames,
      controller: r.controller,
      message: r.message,
    }));
  /** Wait until the page's simulated clock has advanced by `seconds`. */
  const waitSim = async (seconds: number) => {
    const t0 = await hook((r) => r.simTime);
    await page.waitForFunction((t) => window.__reach.simTime >= t, t0 + seconds, { timeout: WAIT, polling: 50 });
  };
  const client = (x: number, y: number) => page.evaluate(([a, b]) => window.__reach.worldToClient(a, b), [x, y] as const);
  /** Start a trial to target k (by clicking it, or by its number key) and wait until `after` s past its go cue. */
  const reach = async (k: number, after: number, via: 'click' | 'key' = 'key') => {
    if (await hook((r) => r.paused)) await page.keyboard.press(' ');
    const targets = await hook((r) => r.targets);
    const trials = await hook((r) => r.trials);
    if (via === 'click') {
      const [cx, cy] = await client(targets[k][0], targets[k][1]);
      await page.mouse.click(cx, cy);
    } else {
      await page.keyboard.press(String(k + 1));
    }
    try {
      await page.waitForFunction((n) => window.__reach.trials > n && window.__reach.targetIndex >= 0, trials, { timeout: WAIT });
      await page.waitForFunction((a) => window.__reach.trialTime >= window.__reach.goTime + a, after, { timeout: WAIT, polling: 50 });
    } catch (err) {
      const state = await read();
      const focus = await page.evaluate(() => (document as unknown as { activeElement: { outerHTML: string } | null }).activeElement?.outerHTML.slice(0, 80));
      throw new Error(`trial to target ${k} via ${via} did not run: ${JSON.stringify(state)}, focus ${focus}: ${(err as Error).message}`, { cause: err });
    }
    return { trace: await hook((r) => r.trialTrace()), goTime: await hook((r) => r.goTime), target: targets[k] };
  };

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'reach-viewer-build-'));
    await build({ configFile: resolve(repo, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    server = await serveStatic(outDir);
    profile = mkdtempSync(join(tmpdir(), 'reach-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
      args: CHROMIUM_ARGS,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const t0 = Date.now();
    await page.goto(server.url);
    // Waiting with page.waitForFunction would first install playwright's injected script (~330 kB) in the
    // page, 0.1–0.2 s of its main thread in the middle of the start-up being timed: a plain CDP evaluation
    // of a small polling promise leaves the page's start-up as a user's browser runs it.
    const cdp = await context.newCDPSession(page);
    const seen = await cdp.send('Runtime.evaluate', { expression: FIRST_FRAME_SEEN, awaitPromise: true, returnByValue: true });
    await cdp.detach();
    if (seen.result.value !== true) throw new Error(`no frame drawn within ${WAIT / 1000} s of loading the viewer: ${JSON.stringify(seen.exceptionDetails ?? seen.result)}`);
    navigationMs = Date.now() - t0;
    // The traces, state planes, unit and train panels load after the first frame.
    await page.waitForFunction(() => window.__reach.panelsReady, null, { timeout: WAIT });
    await page.waitForFunction(() => window.__reach.referencesReady, null, { timeout: WAIT });
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    for (const d of [outDir, profile]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('loads the bundled controller with no console errors and reports its first frame', async () => {
    const r = await read();
    expect(r.controller).toBe('default-controller.json');
    expect(r.message).toBeNull();
    const first = await hook((h) => h.firstFrameMs);
    console.log(`viewer: first frame ${first?.toFixed(0)} ms after navigation start (page.goto → first frame seen by the test: ${navigationMs} ms)`);
    // Where the time went: the page's start-up marks (viewer/main.ts), ms after navigation start.
    const marks = await page.evaluate(() => performance.getEntriesByType('mark').filter((m) => m.name.startsWith('reach:')).map((m) => `${m.name.slice(6)} ${m.startTime.toFixed(0)}`));
    console.log(`viewer: start-up (ms after navigation start): ${marks.join(', ')}`);
    expect(first).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('draws the arm: arm and hand colours on screen where the hook puts them, background elsewhere', async () => {
    const SEGMENT_POINTS = 7;
    await page.keyboard.press(' ');
    await page.waitForFunction(() => window.__reach.paused, null, { timeout: WAIT });
    let colours: Record<string, number[]>;
    try {
      const [hand, elbow] = await hook((r) => [r.hand, r.elbow] as const);
      const box = (await page.locator('#scene').boundingBox())!;
      const png = await page.locator('#scene').screenshot();
      const px = async (x: number, y: number) => {
        const [cx, cy] = await client(x, y);
        return [cx - box.x, cy - box.y] as const;
      };
      // Seven points along each segment: the targets, their rings and the start circle are drawn over the arm (defect 3) and may cover some.
      const along = (a: readonly number[], b: readonly number[], f: number) => px(a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]));
      const points: Record<string, readonly [number, number]> = { hand: await px(hand[0], hand[1]), background: [8, box.height - 8] };
      for (let i = 0; i < SEGMENT_POINTS; i++) {
        const f = 0.2 + (0.6 * i) / (SEGMENT_POINTS - 1);
        points[`upperArm${i}`] = await along([0, 0], elbow, f);
        points[`forearm${i}`] = await along(elbow, hand, f);
      }
      const names = Object.keys(points);
      const seen = await pixels(page, png, box.width, Object.values(points));
      colours = Object.fromEntries(names.map((k, n) => [k, seen[n]]));
    } finally {
      await page.keyboard.press(' ');
    }
    const near = (c: number[], hex: number, tol = 40) => Math.max(Math.abs(c[0] - (hex >> 16)), Math.abs(c[1] - ((hex >> 8) & 255)), Math.abs(c[2] - (hex & 255))) <= tol;
    expect(near(colours.hand, 0xffd166), `hand pixel ${colours.hand}`).toBe(true);
    for (const segment of ['upperArm', 'forearm']) {
      const seen = Array.from({ length: SEGMENT_POINTS }, (_, i) => colours[`${segment}${i}`]);
      expect(seen.filter((c) => near(c, 0xe8ecf3, 60)).length, `${segment} pixels ${seen.map((c) => c.join(',')).join(' / ')}`).toBeGreaterThanOrEqual(4);
    }
    expect(near(colours.background, 0x11151c, 12), `background pixel ${colours.background}`).toBe(true);
  });

  it('a clicked target (and a key-selected one) is reached within 1 cm within 1.5 s of the go cue', async () => {
    const check = ({ trace, goTime, target }: Awaited<ReturnType<typeof reach>>) => {
      let first = Infinity;
      let closest = Infinity;
      for (let i = 0; i < trace.times.length; i++) {
        if (trace.times[i] < goTime - 1e-9 || trace.times[i] > goTime + 1.5 + 1e-9) continue;
        const d = Math.hypot(trace.hand[2 * i] - target[0], trace.hand[2 * i + 1] - target[1]);
        closest = Math.min(closest, d);
        if (d <= 0.01) first = Math.min(first, trace.times[i] - goTime);
      }
      console.log(`viewer: reach to (${target.map((v) => v.toFixed(3))}) m: closest ${(closest * 100).toFixed(2)} cm, within 1 cm at ${first.toFixed(2)} s after go`);
      expect(closest).toBeLessThanOrEqual(0.01);
      expect(first).toBeLessThanOrEqual(1.5);
    };
    check(await reach(2, 1.5, 'click'));
    expect(await hook((r) => r.targetIndex)).toBe(2);
    check(await reach(5, 1.5, 'key'));
    expect(await hook((r) => r.targetIndex)).toBe(5);
  });

  it('dragging the hand moves it away; released, the network brings it back', async () => {
    const { target } = await reach(0, 0.8);
    const before = (await read()).hand;
    const start = await hook((r) => r.start);
    const away = Math.hypot(start[0] - before[0], start[1] - before[1]);
    const goal = [before[0] + ((start[0] - before[0]) * 0.06) / away, before[1] + ((start[1] - before[1]) * 0.06) / away];
    const [hx, hy] = await client(before[0], before[1]);
    const [gx, gy] = await client(goal[0], goal[1]);
    await page.mouse.move(hx, hy);
    await page.mouse.down();
    await page.mouse.move(gx, gy, { steps: 5 });
    await waitSim(0.6);
    const held = (await read()).hand;
    await page.mouse.up();
    await waitSim(1.0);
    const after = (await read()).hand;
    const moved = Math.hypot(held[0] - before[0], held[1] - before[1]);
    const back = Math.hypot(after[0] - before[0], after[1] - before[1]);
    console.log(`viewer: drag toward the start moved the hand ${(moved * 100).toFixed(1)} cm; 1 s after release it is ${(back * 100).toFixed(1)} cm from where it was (target ${target.map((v) => v.toFixed(3))})`);
    expect(moved).toBeGreaterThan(0.03);
    expect(back).toBeLessThan(0.01);
  });

  it('the pulse button pushes the hand to the right, and the network brings it back', async () => {
    await reach(6, 0.8);
    const x0 = (await read()).hand;
    await page.locator('#pulse').click();
    let peak = 0;
    const t0 = await hook((r) => r.simTime);
    while ((await hook((r) => r.simTime)) < t0 + 0.3) peak = Math.max(peak, (await read()).hand[0] - x0[0]);
    await waitSim(0.8);
    const x1 = (await read()).hand;
    console.log(`viewer: a 10 N × 50 ms rightward pulse moved the hand ${(peak * 1000).toFixed(1)} mm right; 0.8 s later it is ${(Math.hypot(x1[0] - x0[0], x1[1] - x0[1]) * 1000).toFixed(1)} mm from where it was`);
    expect(peak).toBeGreaterThan(0.003);
    expect(Math.hypot(x1[0] - x0[0], x1[1] - x0[1])).toBeLessThan(peak);
  });

  it('the curl field pushes a reach to the right of its direction, and the state still rotates in the jPC plane', async () => {
    const k = 2;
    const lateral = ({ trace, target }: Awaited<ReturnType<typeof reach>>, start: [number, number]) => {
      const ux = target[0] - start[0];
      const uy = target[1] - start[1];
      const d = Math.hypot(ux, uy);
      let right = -Infinity;
      for (let i = 0; i < trace.times.length; i++) {
        right = Math.max(right, ((trace.hand[2 * i] - start[0]) * uy - (trace.hand[2 * i + 1] - start[1]) * ux) / d);
      }
      return right;
    };
    const start = await hook((r) => r.start);
    const plain = await reach(k, 0.6);
    await page.locator('#curl').check();
    expect(await hook((r) => r.curl)).toBe(13);
    const curled = await reach(k, 0.6);
    if (process.env.UPDATE_VIEWER_SCREENSHOT) {
      await page.keyboard.press(' ');
      await page.waitForFunction(() => window.__reach.paused, null, { timeout: WAIT });
      await page.screenshot({ path: resolve(repo, 'docs/viewer.png') });
      await page.keyboard.press(' ');
      console.log('viewer: wrote docs/viewer.png');
    }
    await page.locator('#curl').uncheck();
    const [rPlain, rCurl] = [lateral(plain, start), lateral(curled, start)];
    console.log(`viewer: peak rightward deviation of a forward reach: ${(rPlain * 100).toFixed(2)} cm without, ${(rCurl * 100).toFixed(2)} cm with a 13 N·s/m curl field`);
    expect(rCurl).toBeGreaterThan(rPlain + 0.005);

    const window_ = (await hook((r) => r.jpcWindow))!;
    const ref = (await page.evaluate((c) => window.__reach.referenceJpc(c), k))!;
    const live = curled.trace.jpc!;
    expect(live).not.toBeNull();
    const turned = (xy: number[]) => {
      let total = 0;
      for (let t = window_[0] + 1; t <= window_[1]; t++) {
        const a0 = Math.atan2(xy[2 * t - 1], xy[2 * t - 2]);
        const a1 = Math.atan2(xy[2 * t + 1], xy[2 * t]);
        total += Math.atan2(Math.sin(a1 - a0), Math.cos(a1 - a0));
      }
      return total;
    };
    const deg = (a: number) => `${((a * 180) / Math.PI).toFixed(0)}°`;
    const [refTurn, plainTurn, curlTurn] = [turned(ref), turned(plain.trace.jpc!), turned(live)];
    console.log(`viewer: jPC-plane rotation over the jPCA window: reference ${deg(refTurn)}, live ${deg(plainTurn)}, live with curl ${deg(curlTurn)}`);
    expect(refTurn).toBeGreaterThan(0);
    expect(plainTurn).toBeGreaterThan(0.5 * refTurn);
    expect(curlTurn).toBeGreaterThan(0.25 * refTurn);
  });

  it('a corrupt or truncated checkpoint shows a clear error and the running controller keeps going', async () => {
    const text = readFileSync(checkpointPath, 'utf8');
    const corrupt = text.replace(/"iterations":(\d)/, (_m, d) => `"iterations":${(Number(d) + 1) % 10}`);
    expect(corrupt).not.toBe(text);
    for (const [name, body, says] of [
      ['corrupt.json', corrupt, 'corrupted'],
      ['truncated.json', text.slice(0, text.length >> 1), 'truncated'],
    ] as const) {
      const before = await read();
      await page.locator('#checkpoint-file').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(body) });
      await page.waitForFunction((n) => window.__reach.message?.includes(n) ?? false, name, { timeout: WAIT });
      const msg = (await read()).message!;
      expect(msg).toContain(says);
      expect(await page.locator('#message').isVisible()).toBe(true);
      expect(await page.locator('#message').textContent()).toContain(says);
      await waitSim(0.2);
      const after = await read();
      expect(after.controller).toBe(before.controller);
      expect(after.frames).toBeGreaterThan(before.frames);
      expect(after.simTime).toBeGreaterThan(before.simTime + 0.19);
    }
    await page.evaluate((body) => {
      const dt = new DataTransfer();
      dt.items.add(new File([body], 'dropped.json', { type: 'application/json' }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, cancelable: true }));
    }, corrupt);
    await page.waitForFunction(() => window.__reach.message?.includes('dropped.json') ?? false, null, { timeout: WAIT });
    expect((await read()).message).toContain('corrupted');
    expect((await read()).controller).toBe('default-controller.json');
    await page.locator('#checkpoint-file').setInputFiles({ name: 'copy.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.waitForFunction(() => window.__reach.controller === 'copy.json', null, { timeout: WAIT });
    expect((await read()).message).toContain('Loaded copy.json');
    await page.waitForFunction(() => window.__reach.referencesReady, null, { timeout: WAIT });
  });

  it('downloads the last trial as CSV and .npy holding the same numbers, hand = forward kinematics of the joints', async () => {
    await reach(4, 0.5);
    await page.keyboard.press(' ');
    await page.waitForFunction(() => window.__reach.paused, null, { timeout: WAIT });
    const samples = (await hook((r) => r.trialTrace())).times.length;
    const get = async (button: string) => {
      const [dl] = await Promise.all([page.waitForEvent('download', { timeout: WAIT }), page.locator(button).click()]);
      return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
    };
    const csv = await get('#download-csv');
    const npy = await get('#download-npy');
    await page.keyboard.press(' ');
    expect(csv.name).toBe('copy-target5.csv');
    expect(npy.name).toBe('copy-target5.npy');
    const lines = csv.bytes.toString('utf8').trim().split('\n');
    const header = lines[0].split(',');
    const rows = lines.slice(1).map((l) => l.split(',').map(Number));
    const arr = decodeNpy(new Uint8Array(npy.bytes));
    expect(arr.dtype).toBe('float64');
    expect(arr.shape).toEqual([samples, header.length]);
    expect(rows.length).toBe(samples);
    let differing = 0;
    for (let i = 0; i < samples; i++) for (let c = 0; c < header.length; c++) if (rows[i][c] !== arr.data[i * header.length + c]) differing++;
    expect(differing).toBe(0);
    const arm = parseCheckpoint(readFileSync(checkpointPath, 'utf8')).arm;
    const col = (name: string) => header.indexOf(name);
    for (const row of rows) {
      const { hand } = forwardKinematics(arm, row[col('q1_rad')], row[col('q2_rad')]);
      expect(row[col('hand_x_m')]).toBeCloseTo(hand[0], 12);
      expect(row[col('hand_y_m')]).toBeCloseTo(hand[1], 12);
    }
    expect(header.filter((h) => /^h\d+$/.test(h)).length).toBe(await hook((r) => r.units));
  });

  it('keeps drawing frames with every panel live during a trial, without errors (prints fps by requestAnimationFrame count)', async () => {
    const trials = await hook((r) => r.trials);
    await page.keyboard.press('8');
    await page.waitForFunction((n) => window.__reach.trials > n, trials, { timeout: WAIT });
    const f0 = await hook((r) => r.frames);
    const t0 = Date.now();
    await page.waitForTimeout(3000);
    const f1 = await hook((r) => r.frames);
    const seconds = (Date.now() - t0) / 1000;
    const fps = (f1 - f0) / seconds;
    console.log(`viewer: ${f1 - f0} frames in ${seconds.toFixed(2)} s = ${fps.toFixed(1)} fps (headless Chromium, SwiftShader WebGL, all panels live)`);
    expect(f1).toBeGreaterThan(f0);
    expect(errors).toEqual([]);
  });
});
