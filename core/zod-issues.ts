/**
 * The one formatter of zod issues, and the hint that names the closest known key of an unknown one
 * (configs are strict: a misspelt key is an error, not a silently ignored line).
 */
import type { z } from 'zod';

/** Camel-case or snake-case words of a key, lower-cased: `learningRate` → ["learning", "rate"]. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_\-.]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/**
 * The known key a user most likely meant by `key`: the same key in another case, then a key spelt by
 * the initials of its words (`learningRate` → `lr`), then the fewest single-letter edits (ties: the
 * first known key). Undefined when nothing is known.
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase) return sameCase;
  const initials = words(key).map((w) => w[0]).join('');
  const acronym = known.find((k) => k.toLowerCase() === initials);
  if (acronym && initials.length > 1) return acronym;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

interface RawUnknownKeys {
  code: string;
  keys?: string[];
  inst?: { _zod?: { def?: { shape?: Record<string, unknown> } } };
}

/**
 * Parse parameters (`schema.safeParse(input, KEY_HINTS)`) whose messages for unknown keys name the
 * closest known key of the object they were found in.
 */
export const KEY_HINTS = {
  error: (issue: RawUnknownKeys): string | undefined => {
    if (issue.code !== 'unrecognized_keys' || !issue.keys) return undefined;
    const known = Object.keys(issue.inst?._zod?.def?.shape ?? {});
    return issue.keys
      .map((k) => {
        const near = closestKey(k, known);
        return `unknown key '${k}'${near ? ` (did you mean '${near}'?)` : ''}`;
      })
      .join(', ');
  },
} as z.core.ParseContext<z.core.$ZodIssue>;

/** Issues as one line: `path: message; path: message` (`root` names an issue about the whole input). */
export function formatIssues(error: z.ZodError, root = '(root)'): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : root}: ${i.message}`).join('; ');
}
