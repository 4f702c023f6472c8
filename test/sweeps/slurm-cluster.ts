/**
 * A real single-node Slurm cluster for tests (Debian's slurm-wlm and munge, as root; `.ci/install-slurm`
 * installs them): a private munged on a socket in a temp dir, then slurmctld and slurmd on 127.0.0.1
 * with a generated slurm.conf (no accounting, no cgroups), until `stop()` ends all three by their pid
 * files. When something is missing or a daemon does not come up, `startSlurmCluster` says why instead.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SlurmCluster {
  /** Environment for sbatch, squeue, sacct and scancel (SLURM_CONF set). */
  env: NodeJS.ProcessEnv;
  /** Temp folder holding slurm.conf, the daemons' logs, state and pid files. */
  dir: string;
  stop(): Promise<void>;
}

const TOOLS = ['munged', 'mungekey', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'sinfo', 'scancel'];

const which = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readPid(path: string): number | null {
  if (!existsSync(path)) return null;
  const pid = Number(readFileSync(path, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

async function stopByPidFile(path: string): Promise<void> {
  const pid = readPid(path);
  if (pid === null || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

const tail = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').slice(-5).join(' | ') : '(no log)');

/** Start the cluster, or return why it cannot start here. */
export async function startSlurmCluster(): Promise<SlurmCluster | { skip: string }> {
  if (process.getuid?.() !== 0) return { skip: 'the Slurm daemons are started as root and this is not root' };
  const missing = TOOLS.filter((t) => !which(t));
  if (missing.length) return { skip: `${missing.join(', ')} not installed (apt-get install slurm-wlm munge, or .ci/install-slurm)` };

  const dir = mkdtempSync(join(tmpdir(), 'reach-slurm-'));
  // munged refuses a socket folder others cannot enter.
  chmodSync(dir, 0o755);
  const f = (name: string) => join(dir, name);
  mkdirSync(f('state'));
  mkdirSync(f('spool'));
  const stop = async () => {
    for (const name of ['slurmd.pid', 'slurmctld.pid', 'munged.pid']) await stopByPidFile(f(name));
    rmSync(dir, { recursive: true, force: true });
  };
  const fail = async (why: string) => {
    const logs = ['munged.log', 'slurmctld.log', 'slurmd.log'].map((l) => `${l}: ${tail(f(l))}`).join('; ');
    await stop();
    return { skip: `${why} (${logs})` };
  };

  try {
    execFileSync('mungekey', ['--create', `--keyfile=${f('munge.key')}`], { stdio: 'pipe' });
    execFileSync('munged', ['--force', `--socket=${f('munge.sock')}`, `--key-file=${f('munge.key')}`, `--log-file=${f('munged.log')}`, `--pid-file=${f('munged.pid')}`, `--seed-file=${f('munged.seed')}`], { stdio: 'pipe' });
  } catch (err) {
    return fail(`munged did not start: ${(err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message}`);
  }

  const host = hostname().split('.')[0];
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const conf = f('slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=reachtest',
      `SlurmctldHost=${host}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${dPort}`,
      'AuthType=auth/munge',
      `AuthInfo=socket=${f('munge.sock')}`,
      'CredType=cred/munge',
      'SlurmUser=root',
      'SlurmdUser=root',
      `StateSaveLocation=${f('state')}`,
      `SlurmdSpoolDir=${f('spool')}`,
      `SlurmctldPidFile=${f('slurmctld.pid')}`,
      `SlurmdPidFile=${f('slurmd.pid')}`,
      `SlurmctldLogFile=${f('slurmctld.log')}`,
      `SlurmdLogFile=${f('slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/none',
      'JobAcctGatherType=jobacct_gather/none',
      'MpiDefault=none',
      'ReturnToService=2',
      'SchedulerType=sched/backfill',
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${availableParallelism()} State=UNKNOWN`,
      `PartitionName=test Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  for (const daemon of ['slurmctld', 'slurmd']) {
    const r = spawnSync(daemon, ['-f', conf], { env, encoding: 'utf8' });
    if (r.status !== 0) return fail(`${daemon} exited with ${r.status}: ${(r.stderr || r.stdout).trim()}`);
  }
  // Ready when the node reports idle; a daemon that dies on start never gets there.
  for (let i = 0; i < 150; i++) {
    const r = spawnSync('sinfo', ['-h', '-o', '%T'], { env, encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() === 'idle') return { env, dir, stop };
    await sleep(200);
  }
  return fail('the node did not become idle within 30 s');
}
