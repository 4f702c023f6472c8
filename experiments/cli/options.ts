/** Parsing of command-line option values shared by the sub-commands; errors name the flag. */
import { availableParallelism } from 'node:os';
import { BACKEND_CHOICES, type BackendChoice } from '../../model/backend.ts';
import type { ArmEngine } from '../../model/closed-loop.ts';

/** A whole number, written as one. */
export function parseIntStrict(text: string, flag: string): number {
  if (!/^-?\d+$/.test(String(text))) throw new Error(`${flag} must be an integer, got '${text}'`);
  return parseInt(text, 10);
}

/** A finite number > 0. */
export function parsePositive(text: string, flag: string): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${flag} must be a positive number, got '${text}'`);
  return v;
}

/** One of a fixed set of words. */
export function parseChoice<T extends string>(text: string, flag: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new Error(`${flag} must be one of ${choices.join(', ')}, got '${text}'`);
  return text as T;
}

export const parseBackend = (text: string): BackendChoice => parseChoice(text, '--backend', BACKEND_CHOICES);
export const parseEngine = (text: string): ArmEngine => parseChoice(text, '--engine', ['matter', 'analytic'] as const);

/** `--workers`: threads computing training shards, a whole number ≥ 1, or the number of cores when omitted. */
export function parseWorkers(text: string | undefined): number {
  if (text === undefined) return availableParallelism();
  const n = parseIntStrict(text, '--workers');
  if (n < 1) throw new Error(`--workers must be at least 1, got ${n}`);
  return n;
}
