import { Command } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { loadConfig } from '../config/config.ts';
import { createStorageRegistry } from '../storage/registry.ts';
import { registerOssCommands } from './oss-commands.ts';
import { registerServeCommand } from './serve-command.ts';

/** The `openimm` command line. */
export async function main(argv: string[]) {
  const program = new Command();
  program
    .name('openimm')
    .description('Self-hosted, IMM-compatible asynchronous media and document processing')
    .version(pkg.version)
    .option('--data-dir <dir>', 'data folder of the embedded server (OPENIMM_DATA_DIR, default ./data)')
    .option('--config <file>', 'JSON config file (OPENIMM_CONFIG)')
    .enablePositionalOptions();
  registerServeCommand(program);
  // The oss commands see the same buckets as the server: its config file, env and data folder.
  registerOssCommands(program, async () => {
    const global = program.opts<{ dataDir?: string; config?: string }>();
    const config = await loadConfig({
      file: global.config ?? process.env.OPENIMM_CONFIG,
      env: process.env,
      flags: { dataDir: global.dataDir },
    });
    return createStorageRegistry(config.storage as any, { dataDir: config.dataDir, region: config.region });
  });
  await program.parseAsync(argv);
}
