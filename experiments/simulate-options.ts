/**
 * The engine and integrator names of `reach simulate`, apart from the simulation (experiments/simulate.ts)
 * so that the CLI can list them without loading matter-js.
 */
export type EngineName = 'analytic' | 'matter';

/**
 * How the analytic engine integrates: classical RK4 (`rk4`, the project's integrator) or MotorNet's own
 * stepping (`motornet-rk4`, `motornet-euler`; sim/motornet-step.ts), to reproduce MotorNet trajectories.
 */
export type IntegratorName = 'rk4' | 'motornet-rk4' | 'motornet-euler';
export const INTEGRATORS: readonly IntegratorName[] = ['rk4', 'motornet-rk4', 'motornet-euler'];
