/**
 * `reach export`: turn a run directory into files other tools read — `.npy` + manifest, tidy CSV, or
 * NWB 2.x (HDF5) — each written atomically.
 */
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { EXPORT_FORMATS, type ExportFormat } from '../export/formats.ts';

interface RawOptions {
  run: string;
  format: string;
  out?: string;
  sessionStart?: string;
}

const FORMAT_CHOICES = [...EXPORT_FORMATS, 'all'] as const;

const optionsSchema = z.object({
  run: z.string().min(1, '--run must name a run directory'),
  format: z.enum(FORMAT_CHOICES, { error: (i) => `--format must be one of ${FORMAT_CHOICES.join(', ')}; got '${String(i.input)}'` }),
  out: z.string().min(1, '--out must name a directory').optional(),
  sessionStart: z.string().optional(),
});

async function run(raw: RawOptions): Promise<void> {
  const parsed = optionsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  const opts = parsed.data;
  const [{ exportRun }, { openRunDir }] = await Promise.all([import('../export/index.ts'), import('../run-dir.ts')]);
  const runDir = resolve(opts.run);
  // Manifest, trials and config only: the exporters stream the arrays, so memory does not grow with the run.
  const data = openRunDir(runDir);
  process.stderr.write(`export: run ${runDir}: ${data.trials.length} trials, ${data.manifest.arrays.length} arrays, dt ${data.dt} s\n`);
  const formats: ExportFormat[] = opts.format === 'all' ? [...EXPORT_FORMATS] : [opts.format];
  // One format goes straight into --out; several go into one sub-folder each.
  const base = resolve(opts.out ?? join(runDir, 'export', opts.format === 'all' ? '' : opts.format));
  for (const format of formats) {
    const dir = formats.length > 1 ? join(base, format) : base;
    const written = await exportRun(data, format, dir, {
      progress: (m) => process.stderr.write(`export ${m}\n`),
      ...(opts.sessionStart !== undefined ? { sessionStartTime: opts.sessionStart } : {}),
    });
    process.stderr.write(`export: ${format}: wrote ${written.length} files to ${dir}\n`);
  }
}

/** Add `reach export` to the program. */
export function register(program: Command): void {
  program
    .command('export')
    .description('Export a run directory as .npy + manifest, tidy CSV, or NWB 2.x (HDF5); every file is written atomically.')
    .requiredOption('--run <dir>', 'run directory (written by reach run)')
    .option('--format <name>', `one of ${FORMAT_CHOICES.join(', ')}`, 'all')
    .option('--out <dir>', 'output directory (default: <run>/export/<format>, or <run>/export/{npy,csv,nwb} for all)')
    .option('--session-start <iso>', 'NWB session start, ISO 8601 with time zone (default: when the run was written)')
    .action(run);
}
