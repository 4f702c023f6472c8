import { describe, expect, it } from 'vitest';
import {
  ARM_PRESETS,
  LI_TODOROV_ARM,
  MOTORNET_ARM,
  armParamsSchema,
  cloneArmParams,
  getArmPreset,
  parseArmParams,
  type ArmParams,
} from '../../sim/arm-params.ts';

function withChange(change: (p: ArmParams) => void): ArmParams {
  const p = cloneArmParams(MOTORNET_ARM);
  change(p);
  return p;
}

function messageOf(input: unknown): string {
  try {
    parseArmParams(input);
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}

describe('arm parameters', () => {
  it('every preset satisfies the schema', () => {
    for (const p of Object.values(ARM_PRESETS)) expect(armParamsSchema.safeParse(p).success).toBe(true);
  });

  it('MotorNet preset carries the published TwoDofArm values', () => {
    expect(MOTORNET_ARM.m).toEqual([1.864572, 1.534315]);
    expect(MOTORNET_ARM.l).toEqual([0.309, 0.26]);
    expect(MOTORNET_ARM.s).toEqual([0.180496, 0.181479]);
    expect(MOTORNET_ARM.Ic).toEqual([0.013193, 0.020062]);
    expect(MOTORNET_ARM.qMax[0]).toBeCloseTo((140 * Math.PI) / 180, 12);
    expect(MOTORNET_ARM.qMax[1]).toBeCloseTo((160 * Math.PI) / 180, 12);
  });

  it("Li & Todorov's joint inertias 0.025, 0.045 kg·m² become Ic = I − m·s² = 0.00806, 0.01684 kg·m²", () => {
    expect(LI_TODOROV_ARM.Ic[0]).toBeCloseTo(0.00806, 10);
    expect(LI_TODOROV_ARM.Ic[1]).toBeCloseTo(0.01684, 10);
    expect(LI_TODOROV_ARM.Ic[0] + LI_TODOROV_ARM.m[0] * LI_TODOROV_ARM.s[0] ** 2).toBeCloseTo(0.025, 12);
    expect(LI_TODOROV_ARM.Ic[1] + LI_TODOROV_ARM.m[1] * LI_TODOROV_ARM.s[1] ** 2).toBeCloseTo(0.045, 12);
  });

  it('getArmPreset returns an independent copy and names the known presets for an unknown name', () => {
    const p = getArmPreset('motornet');
    p.m[0] = 99;
    expect(MOTORNET_ARM.m[0]).toBe(1.864572);
    expect(() => getArmPreset('x')).toThrow("unknown arm preset 'x' (known: motornet, li-todorov)");
    expect(() => getArmPreset('toString')).toThrow(/unknown arm preset 'toString'/);
  });

  it('armParamsSchema rejects bad params with a message naming the field and the rule', () => {
    expect(messageOf(withChange((p) => (p.m[0] = -1)))).toMatch(/m\.0: mass must be > 0 \(kg\)/);
    expect(messageOf(withChange((p) => (p.m[1] = 0)))).toMatch(/m\.1: mass must be > 0/);
    expect(messageOf(withChange((p) => (p.l[1] = 0)))).toMatch(/l\.1: length must be > 0 \(m\)/);
    expect(messageOf(withChange((p) => (p.s[0] = 0.5)))).toMatch(/s\.0: centre-of-mass distance s\[0\] = 0.5 m must lie in \(0, l\[0\] = 0.309 m\]/);
    expect(messageOf(withChange((p) => (p.s[1] = 0)))).toMatch(/s\.1: centre-of-mass distance must be > 0/);
    expect(messageOf(withChange((p) => (p.Ic[0] = 0)))).toMatch(/Ic\.0: inertia about the centre of mass must be > 0/);
    expect(messageOf(withChange((p) => (p.qMin[1] = 3)))).toMatch(/qMin\.1: joint limit qMin\[1\] = 3 rad must be < qMax\[1\]/);
    expect(messageOf(withChange((p) => (p.B[0][1] = 0.1)))).toMatch(/B: viscosity B must be symmetric/);
    expect(messageOf(withChange((p) => (p.B = [[0.05, 0.1], [0.1, 0.05]])))).toMatch(/B: viscosity B must be positive semi-definite/);
    expect(messageOf(withChange((p) => (p.B = [[-0.01, 0], [0, 0.05]])))).toMatch(/positive semi-definite/);
    expect(messageOf(withChange((p) => (p.m[0] = Number.NaN)))).toMatch(/m\.0/);
    expect(messageOf({ ...MOTORNET_ARM, extra: 1 })).toMatch(/extra/);
    expect(messageOf({ name: 'x' })).toMatch(/invalid arm parameters: .*m:/);
  });

  it('several problems are all reported in one message', () => {
    const msg = messageOf(withChange((p) => { p.m[0] = -1; p.l[1] = -2; }));
    expect(msg).toMatch(/m\.0/);
    expect(msg).toMatch(/l\.1/);
  });

  it('a valid JSON round trip parses to the same parameters', () => {
    expect(parseArmParams(JSON.parse(JSON.stringify(LI_TODOROV_ARM)))).toEqual(LI_TODOROV_ARM);
  });
});
