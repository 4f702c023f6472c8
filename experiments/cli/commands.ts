/** The list of sub-commands; each module exports a function that adds its command to the program. */
import type { Command } from 'commander';
import { register as simulate } from './simulate.ts';
import { register as train } from './train.ts';
import { register as run } from './run.ts';
import { register as bench } from './bench.ts';
import { register as analyze } from './analyze.ts';
import { register as exportCommand } from './export.ts';
import { register as experiment } from './experiment.ts';
import { register as sweep } from './sweep.ts';
import { register as compare } from './compare.ts';

export const commands: Array<(program: Command) => void> = [simulate, train, run, bench, analyze, exportCommand, experiment, sweep, compare];
