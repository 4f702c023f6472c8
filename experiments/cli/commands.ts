/** The list of sub-commands; each module exports a function that adds its command to the program. */
import type { Command } from 'commander';

export const commands: Array<(program: Command) => void> = [];
