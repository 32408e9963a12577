import type { Logger } from 'pino';
import type { Db } from '../db/types.ts';
import { purgeExpiredTasks } from './sql/purge-tasks.ts';

/** Purges tasks past their retention (IMM: 7 days after start) every `sweepSeconds`, in every worker. */
export function startRetentionSweeper(db: Db, cfg: { days: number; sweepSeconds: number }, log: Logger) {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      let purged = 0;
      for (;;) {
        const n = await purgeExpiredTasks(db, { days: cfg.days });
        purged += n;
        if (n < 1000) break;
      }
      if (purged > 0) log.info({ purged }, 'purged tasks past their retention');
    } catch (err) {
      log.warn({ err }, 'retention sweep failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), cfg.sweepSeconds * 1000);
  timer.unref();
  void sweep();
  return { stop: () => clearInterval(timer), sweep };
}
