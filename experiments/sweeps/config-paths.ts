/**
 * Dotted config paths (`loss.activity`, `network.hidden`) checked against a zod object schema and
 * applied to plain JSON configs. A path is valid when every segment names a field of an object schema
 * (through defaults, optionals, nullables, pipes (preprocessed ones too) and unions of objects): a misspelt path is refused here,
 * with the closest field and the fields that exist at that level, before any cell is trained.
 */
import type { z } from 'zod';
import { closestKey } from '../../core/zod-issues.ts';

type Def = { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType>; options?: z.ZodType[]; in?: z.ZodType; out?: z.ZodType };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object schemas a value of this schema may be (wrappers removed; union members that are objects). */
function objectShapes(schema: z.ZodType): Array<Record<string, z.ZodType>> {
  const def = defOf(schema);
  if (def.type === 'object') return [def.shape!];
  if ((def.type === 'default' || def.type === 'optional' || def.type === 'nullable' || def.type === 'prefault' || def.type === 'readonly') && def.innerType) return objectShapes(def.innerType);
  // A preprocess is a pipe from a transform (no fields) into the schema that validates.
  if (def.type === 'pipe') {
    const into = def.in ? objectShapes(def.in) : [];
    return into.length > 0 || !def.out ? into : objectShapes(def.out);
  }
  if (def.type === 'union' && def.options) return def.options.flatMap(objectShapes);
  return [];
}

/**
 * Why `path` does not name a field of `schema`, or null when it does. The message names the first
 * unknown segment and the fields known at that level.
 */
export function configPathError(schema: z.ZodType, path: string): string | null {
  const parts = path.split('.');
  if (parts.some((p) => p === '')) return `'${path}' is not a dotted config path`;
  let level: z.ZodType[] = [schema];
  for (let i = 0; i < parts.length; i++) {
    const shapes = level.flatMap(objectShapes);
    const here = parts.slice(0, i).join('.') || '(config)';
    if (shapes.length === 0) return `unknown config path '${path}': '${here}' has no fields`;
    const next = shapes.filter((s) => Object.hasOwn(s, parts[i])).map((s) => s[parts[i]]);
    if (next.length === 0) {
      const known = [...new Set(shapes.flatMap((s) => Object.keys(s)))];
      const near = closestKey(parts[i], known);
      return `unknown config path '${path}': '${here}' has no field '${parts[i]}'${near ? ` (did you mean '${near}'?)` : ''}; its fields: ${known.join(', ')}`;
    }
    level = next;
  }
  return null;
}

/** A deep copy of `config` with `value` at `path`, creating objects along the way. */
export function setConfigPath(config: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const out = structuredClone(config);
  const parts = path.split('.');
  let node: Record<string, unknown> = out;
  for (const p of parts.slice(0, -1)) {
    const child = node[p];
    if (child === null || typeof child !== 'object' || Array.isArray(child)) node[p] = {};
    node = node[p] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = structuredClone(value);
  return out;
}
