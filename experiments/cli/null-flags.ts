/** `--null` and `--surrogates` of `reach analyze`, shared by its --input and --run modes. */
import { NULL_CHOICES, type NullChoice } from '../null-analysis.ts';
import { parseChoice, parseIntStrict } from './options.ts';

/** The null model asked for: a surrogate family (or 'none') and how many surrogates (≥ 1). */
export function parseNullFlags(nullText: string, surrogatesText: string): { nullModel: NullChoice; surrogates: number } {
  const nullModel = parseChoice(nullText, '--null', NULL_CHOICES);
  const surrogates = parseIntStrict(surrogatesText, '--surrogates');
  if (surrogates < 1) throw new Error(`--surrogates must be ≥ 1, got ${surrogates}`);
  return { nullModel, surrogates };
}
