/**
 * Writing an analysed run: `analysis.json`, `figures/<id>.svg` and the self-contained `report.html`,
 * each atomically, into one folder.
 */
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../io/files.ts';
import type { RunData } from '../run-dir.ts';
import type { RunAnalysis } from '../run-analysis.ts';
import { buildFigures, renderFigures, type RenderedFigure } from './figures.ts';
import { reportHtml } from './html.ts';
import type { TrainingLog } from './training-log.ts';
import { mark } from '../parallel/timeline.ts';

export { buildFigures, fixedPointFigures, populationFigures, renderFigures, runFigures, type Figure, type RenderedFigure } from './figures.ts';
export { reportHtml, escapeHtml, type ReportContents } from './html.ts';
export { decimateLog, logMismatch, logPathFor, readTrainingLog, writeTrainingLog, type TrainingLog } from './training-log.ts';

export interface WriteReportOptions {
  /** Training log for the loss curve, if any. */
  log?: TrainingLog | null;
  /** Page title. */
  title?: string;
  /** Other files to list in the report, relative to `outDir`, by heading. */
  files?: Record<string, string[]>;
  /** Progress messages. */
  progress?: (message: string) => void;
  /** The report's figures rendered elsewhere, in buildFigures' order (default: built and rendered here). */
  figures?: Promise<RenderedFigure[]>;
}

/** What {@link writeAnalysisOutputs} wrote (absolute paths). */
export interface WrittenReport {
  analysisJson: string;
  figures: string[];
  report: string;
  rendered: RenderedFigure[];
}

/** Write analysis.json, figures/*.svg and report.html for an analysed run into `outDir`. */
export async function writeAnalysisOutputs(outDir: string, run: RunData, analysis: RunAnalysis, opts: WriteReportOptions = {}): Promise<WrittenReport> {
  const analysisJson = join(outDir, 'analysis.json');
  writeJsonAtomic(analysisJson, analysis);
  mark('analysis.json written');
  opts.progress?.('rendering figures');
  const rendered = await (opts.figures ?? renderFigures(buildFigures(run, analysis, opts.log ?? null)));
  mark('figures rendered');
  const figures = rendered.map((f) => {
    const path = join(outDir, 'figures', `${f.id}.svg`);
    writeFileAtomic(path, f.svg);
    return path;
  });
  const report = join(outDir, 'report.html');
  const files = {
    Analysis: ['analysis.json', ...rendered.map((f) => `figures/${f.id}.svg`)],
    ...(opts.files ?? {}),
  };
  writeFileAtomic(report, reportHtml({ run, analysis, figures: rendered, title: opts.title, files, generatedAt: new Date().toISOString() }));
  return { analysisJson, figures, report, rendered };
}
