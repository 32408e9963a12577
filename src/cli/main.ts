import { Command } from 'commander';
import { registerServeCommand } from './serve-command.ts';

/** The `openimm` command line. */
export async function main(argv: string[]) {
  const program = new Command();
  program
    .name('openimm')
    .description('Self-hosted, IMM-compatible asynchronous media and document processing');
  registerServeCommand(program);
  await program.parseAsync(argv);
}
