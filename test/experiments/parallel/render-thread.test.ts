import { afterAll, describe, expect, it } from 'vitest';
import { startRenderThread } from '../../../experiments/parallel/render-thread.ts';
import { renderFigures, type Figure } from '../../../experiments/report/figures.ts';

const thread = startRenderThread();
afterAll(() => thread.dispose());

const figure = (id: string, values: Array<{ x: number; y: number }>): Figure => ({
  id,
  title: id,
  caption: '',
  spec: { data: { values }, mark: 'line', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
});

describe('report figures on a second thread', () => {
  it('are the SVG text rendered here, in the figures’ order', async () => {
    const figures = Array.from({ length: 5 }, (_, k) => figure(`f${k}`, Array.from({ length: 20 }, (_, i) => ({ x: i, y: Math.sin(i * (k + 1)) }))));
    const here = await renderFigures(figures);
    const shared = await renderFigures(figures, thread);
    expect(shared.map((f) => f.id)).toEqual(figures.map((f) => f.id));
    expect(shared.map((f) => f.svg)).toEqual(here.map((f) => f.svg));
    expect(new Set(here.map((f) => f.svg)).size).toBe(5);
  });

  it('requests sent one after another without waiting come back whole and in order, as drawn here', async () => {
    const groups = [3, 1, 2].map((n, g) => Array.from({ length: n }, (_, k) => figure(`g${g}f${k}`, Array.from({ length: 30 }, (_, i) => ({ x: i, y: Math.cos(i * (g + k + 1)) })))));
    const here = [];
    for (const g of groups) here.push(await renderFigures(g));
    const shared = await Promise.all(groups.map((g) => renderFigures(g, thread)));
    expect(shared.map((g) => g.map((f) => f.id))).toEqual(groups.map((g) => g.map((f) => f.id)));
    expect(shared.map((g) => g.map((f) => f.svg))).toEqual(here.map((g) => g.map((f) => f.svg)));
  });

  it('a spec the renderer rejects fails the call with its message, and the thread serves the next one', async () => {
    const bad = { ...figure('bad', []), spec: { mark: 'no-such-mark' } } as unknown as Figure;
    await expect(renderFigures([figure('ok', [{ x: 0, y: 0 }]), bad], thread)).rejects.toThrow(/^render thread: /);
    expect((await renderFigures([figure('a', [{ x: 1, y: 2 }]), figure('b', [{ x: 2, y: 1 }])], thread))[1].svg).toMatch(/^<svg/);
  });

  it('dispose() called twice ends the thread once, and both calls resolve', async () => {
    const other = startRenderThread();
    expect((await renderFigures([figure('x', [{ x: 0, y: 1 }])], other))[0].svg).toMatch(/^<svg/);
    const first = other.dispose();
    await expect(Promise.all([first, other.dispose()])).resolves.toEqual([undefined, undefined]);
    expect(other.dispose()).toBe(first);
  });

  it('a request waiting at dispose() and one made after it are refused, not left waiting for a thread that is gone', async () => {
    const other = startRenderThread();
    const waiting = other.render([figure('w', [{ x: 0, y: 1 }]).spec]);
    const stopped = other.dispose();
    await expect(waiting).rejects.toThrow(/render thread disposed/);
    await expect(other.render([figure('late', [{ x: 1, y: 0 }]).spec])).rejects.toThrow(/render thread disposed/);
    await stopped;
  });
});
