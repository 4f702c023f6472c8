import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgress } from '../../experiments/progress.ts';

afterEach(() => vi.useRealTimers());

function captured(): { stream: NodeJS.WriteStream; lines: string[] } {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

describe('training progress', () => {
  it('a training resumed at iteration 4000 paces the time left on the iterations this run did: 50 in 10 s leaves 450 in 90 s', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const { stream, lines } = captured();
    const p = createProgress(4500, 'train', { from: 4000, stream, plainEvery: 50 });
    vi.advanceTimersByTime(10_000);
    p.update(4050, 'loss 1e-2');
    expect(lines).toEqual(['train 4050/4500 loss 1e-2 (10s elapsed, ~90s left)\n']);
  });
});
