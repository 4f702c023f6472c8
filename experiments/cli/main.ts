/**
 * `reach`: the command-line entry point. Each sub-command lives in its own file and registers itself
 * here; commands report progress on stderr, write data to files and exit non-zero on failure.
 */
import { Command, CommanderError } from 'commander';
import { PACKAGE_VERSION } from '../package-info.ts';
import { commands } from './commands.ts';

const program = new Command('reach')
  .description('Two-joint arm + RNN controller: simulate, train, run, analyse, export, view.')
  .version(PACKAGE_VERSION)
  .exitOverride()
  .showHelpAfterError();

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  process.stderr.write(`reach: error: ${(err as Error).message}\n`);
  if (process.env.REACH_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
}
