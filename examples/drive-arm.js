// Drive the matter-js arm with your own controller: a joint-space PD law, no network.
// Usage: node examples/drive-arm.js [stiffness N·m/rad = 30] [damping N·m·s/rad = 5]
// For each center-out target, the controller holds the start posture until go, then pulls the joints
// towards the target posture (inverse kinematics) with τ = K·(q* − q) − B·q̇. It reads the noise-free
// state from `info`; a controller that should see what a network sees would read `observation` instead.
import { ReachEnv, MOTORNET_ARM, DEFAULT_FEEDBACK, parseTaskSpec, inverseKinematics } from 'motor-cortex-rnn/sim';

const [K = 30, B = 5] = process.argv.slice(2).map(Number);
const arm = MOTORNET_ARM;
const task = parseTaskSpec({ kind: 'center-out', duration: 1, delay: [0.2, 0.2], catchProbability: 0 });
const env = new ReachEnv({ arm, task, feedback: DEFAULT_FEEDBACK, engine: 'matter' });
try {
  for (let condition = 0; condition < task.targets; condition++) {
    let { info } = env.reset({ seed: condition, options: { condition, goTime: 0.2 } });
    const start = inverseKinematics(arm, env.trial.start[0], env.trial.start[1]);
    const goal = inverseKinematics(arm, env.trial.target[0], env.trial.target[1]);
    let done = false;
    while (!done) {
      const q = info.hold ? start : goal;
      const [q1, q2, qd1, qd2] = info.state;
      const torques = [K * (q[0] - q1) - B * qd1, K * (q[1] - q2) - B * qd2];
      const result = env.step(torques);
      info = result.info;
      done = result.truncated || result.terminated;
    }
    const error = Math.hypot(info.hand[0] - env.trial.target[0], info.hand[1] - env.trial.target[1]);
    console.log(JSON.stringify({ condition, targetAngleRad: env.trial.targetAngle[0], endpointErrorM: error, handSpeedMPerS: Math.hypot(...info.handVelocity) }));
  }
} finally {
  env.dispose();
}
