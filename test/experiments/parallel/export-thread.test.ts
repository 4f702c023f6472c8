import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportRun } from '../../../experiments/export/index.ts';
import { exportOnThread } from '../../../experiments/parallel/export-thread.ts';
import { readRunDir } from '../../../experiments/run-dir.ts';
import { writeSyntheticRun } from '../export-synthetic-run.ts';

const root = mkdtempSync(join(tmpdir(), 'reach-export-thread-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('exports on a thread of their own', () => {
  it('write the same npy and CSV files as the exporters run here, byte for byte (manifests apart from their own paths)', async () => {
    const synthetic = writeSyntheticRun(5, root);
    const run = readRunDir(synthetic.dir);
    const jobs = (['npy', 'csv'] as const).map((format) => ({ format, outDir: join(root, 'thread', format) }));
    const written = await exportOnThread(synthetic.dir, jobs).written;
    for (const { format, outDir } of jobs) {
      const here = join(root, 'here', format);
      await exportRun(run, format, here);
      const files = readdirSync(outDir).sort();
      for (const p of written[format]) expect(p.startsWith(outDir)).toBe(true);
      expect(files).toEqual(readdirSync(here).sort());
      for (const f of files) {
        const [a, b] = [readFileSync(join(outDir, f)), readFileSync(join(here, f))];
        if (f === 'manifest.json') expect(a.toString('utf8').replaceAll(outDir, '')).toBe(b.toString('utf8').replaceAll(here, ''));
        else expect(a.equals(b), `${format}/${f}`).toBe(true);
      }
    }
  });

  it('a failing export rejects with its message', async () => {
    await expect(exportOnThread(join(root, 'no-such-run'), [{ format: 'csv', outDir: join(root, 'x') }]).written).rejects.toThrow(/export thread: .*no-such-run/s);
  });
});
