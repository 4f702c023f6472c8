import { describe, expect, it } from 'vitest';
import {
  constantField,
  curlField,
  forceFieldSchema,
  handForce,
  isActiveField,
  NO_FIELD,
  parseFieldSpec,
  pulseField,
  sumFields,
  viscousField,
} from '../../sim/force-fields.ts';

const pos: [number, number] = [0.1, 0.4];

describe('hand force fields', () => {
  it('the curl field of strength 13 is F = [[0, 13], [−13, 0]]·ẋ and does no work (F ⟂ ẋ)', () => {
    const v: [number, number] = [0.2, -0.5];
    const F = handForce(curlField(13), 0, pos, v);
    expect(F[0]).toBeCloseTo(13 * -0.5, 14);
    expect(F[1]).toBeCloseTo(-13 * 0.2, 14);
    expect(F[0] * v[0] + F[1] * v[1]).toBeCloseTo(0, 14);
  });

  it('a viscous field opposes the velocity with power −b·|ẋ|²', () => {
    const v: [number, number] = [0.3, 0.4];
    const F = handForce(viscousField(2), 0, pos, v);
    expect(F[0] * v[0] + F[1] * v[1]).toBeCloseTo(-2 * 0.25, 14);
  });

  it('a pulse acts only during [start, start + duration)', () => {
    const f = pulseField([{ start: 0.25, duration: 0.25, F: [4, -1] }]);
    expect(handForce(f, 0.2499, pos, [0, 0])).toEqual([0, 0]);
    expect(handForce(f, 0.25, pos, [0, 0])).toEqual([4, -1]);
    expect(handForce(f, 0.4999, pos, [0, 0])).toEqual([4, -1]);
    expect(handForce(f, 0.5, pos, [0, 0])).toEqual([0, 0]);
  });

  it('a sum of fields exerts the sum of their forces', () => {
    const v: [number, number] = [0.2, 0.1];
    const parts = [curlField(10), constantField(1, 2), viscousField(3)];
    const total = handForce(sumFields(...parts), 0, pos, v);
    const each = parts.map((f) => handForce(f, 0, pos, v));
    expect(total[0]).toBeCloseTo(each.reduce((a, f) => a + f[0], 0), 14);
    expect(total[1]).toBeCloseTo(each.reduce((a, f) => a + f[1], 0), 14);
    expect(isActiveField(NO_FIELD)).toBe(false);
    expect(isActiveField(sumFields(NO_FIELD, curlField(0)))).toBe(false);
    expect(isActiveField(sumFields(NO_FIELD, curlField(1)))).toBe(true);
  });

  it('command-line specs parse to the fields they name and bad specs are rejected with the reason', () => {
    expect(parseFieldSpec('curl:13')).toEqual(curlField(13));
    expect(parseFieldSpec('viscous:2.5')).toEqual(viscousField(2.5));
    expect(parseFieldSpec('constant:1,-2')).toEqual(constantField(1, -2));
    expect(parseFieldSpec('none')).toEqual(NO_FIELD);
    expect(parseFieldSpec('curl:13+constant:0,1')).toEqual(sumFields(curlField(13), constantField(0, 1)));
    expect(() => parseFieldSpec('curl')).toThrow(/invalid force field 'curl'/);
    expect(() => parseFieldSpec('curl:x')).toThrow(/not a list of finite numbers/);
    expect(() => parseFieldSpec('constant:1')).toThrow(/constant takes 2 number/);
    expect(() => parseFieldSpec('spin:1')).toThrow(/unknown kind 'spin'/);
    expect(() => parseFieldSpec('pulse:0,0,1,1')).toThrow(/duration must be > 0/);
  });

  it('the schema accepts field descriptions and rejects malformed ones', () => {
    expect(forceFieldSchema.safeParse(sumFields(curlField(13), pulseField([{ start: 0, duration: 1, F: [1, 0] }]))).success).toBe(true);
    expect(forceFieldSchema.safeParse({ kind: 'curl' }).success).toBe(false);
    expect(forceFieldSchema.safeParse({ kind: 'pulses', pulses: [{ start: 0, duration: -1, F: [0, 0] }] }).success).toBe(false);
  });
});
