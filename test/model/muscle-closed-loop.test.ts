import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/random.ts';
import { checkpointBody, parseCheckpoint, serializeCheckpoint, type Checkpoint } from '../../model/checkpoint.ts';
import { runClosedLoop } from '../../model/closed-loop.ts';
import { emptyLoss } from '../../model/losses.ts';
import { initParams } from '../../model/network.ts';
import { networkSpecOf, parseTrainConfig, resolveBody } from '../../model/train.ts';
import { allocMusclePaths, musclePaths } from '../../sim/actuators/arm26.ts';
import { centerOutConditions, parseTaskSpec } from '../../sim/tasks/task-spec.ts';

const config = parseTrainConfig({ seed: 2, arm: 'arm26', network: { kind: 'rnn', hidden: 16, outputScale: 0.3 }, task: { kind: 'center-out', duration: 0.3, delay: [0.1, 0.1] } });
const body = resolveBody(config.arm);
const spec = networkSpecOf(config);
const params = initParams(spec, createRng(4));

describe('closed loop and checkpoints of a muscle controller', () => {
  it('a checkpoint records the muscles and rebuilds the arm26 body', () => {
    const ck: Checkpoint = {
      packageVersion: '0.0.0-test',
      backend: 'cpu',
      config,
      arm: body.skeleton,
      muscles: body.muscles,
      network: spec,
      params,
      training: { iterations: 0, finalLoss: emptyLoss(), endpointError: NaN },
    };
    const back = parseCheckpoint(serializeCheckpoint(ck), 'ck.json');
    expect(back.muscles).toEqual(body.muscles);
    const b = checkpointBody(back);
    expect(b.actuator.kind).toBe('muscle');
    expect(b.actuator.nInputs).toBe(6);
    expect(back.network.outputRange).toEqual([0.001, 1]);
    // Without its muscles the same network does not fit the torque arm: refused, naming why.
    expect(() => parseCheckpoint(serializeCheckpoint({ ...ck, muscles: null }), 'ck.json')).toThrow(/ck\.json: the network takes 19 inputs/);
  });

  for (const engine of ['analytic', 'matter'] as const) {
    it(`on the ${engine} arm26 the recorded joint torques are −Σ F·r of the recorded muscle forces and moment arms`, () => {
      const task = parseTaskSpec(config.task);
      const trials = centerOutConditions(body.skeleton, task, 0.1, 1);
      const rec = runClosedLoop(body, spec, params, trials, { engine, feedback: config.feedback }, 3);
      const m = rec.muscles!;
      const { batch: B, steps: T } = trials;
      expect(m.names).toEqual(body.muscles!.muscles);
      expect(m.activation.length).toBe(B * T * 6);
      const paths = allocMusclePaths(6);
      let worst = 0;
      let moved = 0;
      for (let i = 0; i < B * T; i++) {
        musclePaths(body.muscles!, rec.jointAngles[2 * i], rec.jointAngles[2 * i + 1], 0, 0, paths);
        for (let j = 0; j < 2; j++) {
          let tau = 0;
          for (let k = 0; k < 6; k++) tau -= m.force[6 * i + k] * paths.momentArm[j * 6 + k];
          worst = Math.max(worst, Math.abs(tau - rec.torques[2 * i + j]) / Math.max(1, Math.abs(tau)));
        }
        for (let k = 0; k < 6; k++) {
          expect(m.activation[6 * i + k]).toBeGreaterThanOrEqual(0.001 - 1e-7);
          expect(m.excitation[6 * i + k]).toBeGreaterThan(0.001);
          expect(m.excitation[6 * i + k]).toBeLessThan(1);
        }
        moved = Math.max(moved, Math.abs(rec.jointAngles[2 * i] - rec.jointAngles[2 * (i - (i % T))]));
      }
      // float32 records: agreement to float32 precision.
      expect(worst).toBeLessThan(1e-5);
      expect(moved).toBeGreaterThan(0.005);
    });
  }
});
