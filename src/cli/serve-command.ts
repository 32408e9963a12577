import type { Command } from 'commander';
import { startApp } from '../app/app.ts';
import { createLogger } from '../app/logger.ts';
import { loadConfig } from '../config/config.ts';
import { printFirstStartBanner } from './first-start-banner.ts';

export interface ServeFlags {
  host?: string;
  port?: string;
  dataDir?: string;
  config?: string;
  role?: string;
  concurrency?: string;
}

export function registerServeCommand(program: Command) {
  program
    .command('serve')
    .description('start the openimm server (API and worker, or one --role)')
    .option('--host <host>', 'address to listen on (OPENIMM_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (OPENIMM_PORT, default 8080)')
    .option(
      '--data-dir <dir>',
      'data folder: PGlite database, fs buckets, scratch (OPENIMM_DATA_DIR, default ./data)',
    )
    .option('--config <file>', 'JSON config file')
    .option('--role <role>', 'all | api | worker (OPENIMM_ROLE, default all)')
    .option('--concurrency <n>', 'tasks one worker runs at once (OPENIMM_CONCURRENCY, default 8)')
    .action(async (flags: ServeFlags) => {
      const config = await loadConfig({
        file: flags.config ?? process.env.OPENIMM_CONFIG,
        env: process.env,
        flags: {
          host: flags.host,
          port: flags.port,
          dataDir: flags.dataDir,
          role: flags.role,
        },
      });
      if (flags.concurrency) config.worker.concurrency = Number(flags.concurrency);
      const log = createLogger(config.logLevel);
      const app = await startApp(config, log);
      // The banner comes before the start line, so whoever waits for the start line has the keys.
      if (app.bootstrap?.generated && app.url) printFirstStartBanner(app.bootstrap, app.url, config.region);
      log.info(
        { url: app.url, role: config.role, dataDir: config.dataDir, database: app.services.db.kind },
        'openimm started',
      );
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'stopping: finishing running tasks');
        app.stop().then(
          () => {
            log.info('stopped');
            process.exit(0);
          },
          (err) => {
            log.error({ err }, 'stop failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    });
}
