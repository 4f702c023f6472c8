/** `reach experiment --protocol NAME [--protocol-spec FILE]`: run a protocol and write its folder. */
import type { ExportFormat } from '../export/formats.ts';
import { readJsonFile } from '../io/files.ts';
import { withOutputLock } from '../io/out-dir.ts';
import { loadCheckpointFile } from '../training.ts';
import { runAblation, parseAblationSpec } from './ablation.ts';
import { analyzeAdaptation, parseAdaptationSpec, runAdaptation, type AdaptationProtocol } from './adaptation.ts';
import { writeAdaptation } from './adaptation-report.ts';

export interface ProtocolOptions {
  protocol: AdaptationProtocol | 'ablation';
  out: string;
  force: boolean;
  checkpointPath: string;
  /** JSON spec file (its keys: adaptationSpecSchema or ablationSpecSchema); absent: the defaults. */
  specPath?: string;
  /** Seed, overriding the spec's when given. */
  seed?: number;
  formats: readonly ExportFormat[];
  progress: (m: string) => void;
}

/** Run the protocol into `out` (holding its lock); returns the report, analysis.json and a summary. */
export async function runProtocol(o: ProtocolOptions): Promise<{ report: string; analysisJson: string; summary: Record<string, unknown> }> {
  const raw = o.specPath ? readJsonFile(o.specPath) : {};
  const where = o.specPath ? `protocol spec ${o.specPath}` : 'protocol spec';
  const withSeed = (spec: unknown) => (o.seed === undefined ? spec : { ...(spec as object), seed: o.seed });
  const ck = loadCheckpointFile(o.checkpointPath);
  return withOutputLock(o.out, async () => {
    if (o.protocol === 'ablation') {
      const s = parseAblationSpec(withSeed(raw), where);
      const r = await runAblation(o.out, o.force, ck, o.checkpointPath, s, o.formats, o.progress);
      return { report: r.report, analysisJson: r.analysisJson, summary: { rows: r.rows } };
    }
    const s = parseAdaptationSpec(withSeed(raw), where);
    const run = await runAdaptation(o.protocol, ck, s, o.progress);
    const a = analyzeAdaptation(run, ck);
    const r = await writeAdaptation(o.out, o.force, ck, o.checkpointPath, run, a, o.formats, o.progress);
    return { report: r.report, analysisJson: r.analysisJson, summary: { deviation: a.deviation, afterEffects: a.afterEffects, learningCurve: a.learningCurve, preparatoryShift: a.preparatoryShift && { ...a.preparatoryShift, norms: undefined }, targets: a.targets, seconds: a.seconds } };
  });
}
