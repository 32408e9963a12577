import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { createAccessKeyCache } from '../accounts/access-key-cache.ts';
import { type BootstrapResult, bootstrapAccount } from '../accounts/bootstrap.ts';
import { actionList } from '../api/actions/index.ts';
import { createDbNonceStore } from '../api/db-nonce-store.ts';
import { createHttpServer } from '../api/http-server.ts';
import type { AppServices } from '../api/services.ts';
import { createTaskEventHub } from '../api/task-events.ts';
import { createTaskWaiters } from '../api/task-waiters.ts';
import { createThrottle } from '../api/throttle.ts';
import type { ServerConfig } from '../config/config.ts';
import { connectDb } from '../db/connect.ts';
import { createStatementBatcher } from '../db/statement-batcher.ts';
import { createProcessors } from '../processors/registry.ts';
import { defaultProcessorLimits } from '../processors/types.ts';
import { createProjectCache } from '../projects/project-cache.ts';
import { MemoryNonceStore, nonceWindowForSkew } from '../protocol/nonce-cache.ts';
import { createStorageRegistry } from '../storage/registry.ts';
import { cachedTaskStorage } from '../storage/task-storage-cache.ts';
import { startTempSweeper } from '../storage/temp-sweeper.ts';
import { startRetentionSweeper } from '../tasks/retention.ts';
import { insertTasks, type NewTask } from '../tasks/sql/insert-task.ts';
import { createWorker, type Worker } from '../tasks/worker.ts';
import { type EngineSettings, setUpEngines } from './engines.ts';
import { createNotifyWiring } from './notify-wiring.ts';

export interface RunningApp {
  url?: string;
  bootstrap?: BootstrapResult;
  services: AppServices;
  worker?: Worker;
  /** Graceful stop: no new requests, running tasks finish or go back to the queue, connections close. */
  stop(): Promise<void>;
}

/**
 * Builds and starts openimm in the role the config names: `api` serves the RPC protocol, `worker` runs
 * tasks and delivers notifications, `all` (the embedded default) does both in one process.
 */
export async function startApp(config: ServerConfig, log: Logger): Promise<RunningApp> {
  const db = await connectDb(
    config.databaseUrl
      ? { url: config.databaseUrl }
      : { pgliteDir: path.join(config.dataDir, 'db'), sharedBuffersMb: config.pgliteSharedBuffersMb },
  );
  const bootstrap = await bootstrapAccount(db, {
    dataDir: config.dataDir,
    accessKeyId: config.accessKeyId,
    accessKeySecret: config.accessKeySecret,
  });
  const storage = createStorageRegistry(config.storage as any, {
    dataDir: config.dataDir,
    region: config.region,
  });
  const engineSettings = config.engines as EngineSettings;
  const processors = createProcessors({ archive: engineSettings.archive, media: engineSettings.media });
  const processorsByType = new Map(processors.map((p) => [p.type, p]));
  const processorsByAction = new Map(processors.map((p) => [p.action, p]));
  const notify = createNotifyWiring({ rawConfig: config.notify, region: config.region, processorsByType });
  const storageFor = cachedTaskStorage(storage);
  const waiters = await createTaskWaiters(db);
  const taskEvents = await createTaskEventHub(db);
  const services: AppServices = {
    config,
    db,
    log,
    processorsByAction,
    processorsByType,
    storage,
    storageFor,
    accessKeys: createAccessKeyCache(db),
    projects: createProjectCache(db),
    insertTask: createStatementBatcher(async (tasks: NewTask[]) => {
      await insertTasks(db, tasks);
      return tasks.map(() => undefined);
    }),
    // Twice the skew: a request dated 15 minutes ahead stays replay-proof until it expires. With PostgreSQL
    // several API processes may serve one client, so the nonces they have seen are shared in the database.
    nonces: config.databaseUrl
      ? createDbNonceStore(db, nonceWindowForSkew(config.maxSkewSeconds * 1000))
      : new MemoryNonceStore(nonceWindowForSkew(config.maxSkewSeconds * 1000)),
    throttle: createThrottle(config.throttle),
    waiters,
    taskEvents,
    parseNotificationTargets: notify.parseTargets,
  };
  const stops: Array<() => Promise<void>> = [];
  let worker: Worker | undefined;
  if (config.role !== 'api') {
    const engines = await setUpEngines(engineSettings, log.child({ component: 'engines' }));
    worker = createWorker({
      db,
      processors: processorsByType,
      storageFor,
      region: config.region,
      limits: { ...defaultProcessorLimits, ...(config.limits as object) },
      tmpRoot: path.join(config.dataDir, 'tmp', `${os.hostname()}-${process.pid}`),
      log,
      config: config.worker,
      onFinished: notify.onFinished,
      writeExtendedMessage: notify.writeExtended,
    });
    await worker.start();
    // On PostgreSQL the dispatcher gets its own small pool: its claims must not queue behind a burst of commits.
    const dispatchDb = config.databaseUrl
      ? await connectDb({ url: config.databaseUrl }, { migrate: false, poolSize: 4 })
      : db;
    const dispatcher = notify.startDispatcher(dispatchDb, log.child({ component: 'notify' }));
    const sweeper = startRetentionSweeper(db, config.retention, log);
    // Temp files of writes a crash cut short: swept before the process reports itself started, then hourly.
    const tempSweeper = startTempSweeper(storage, log.child({ component: 'storage' }));
    await tempSweeper.sweep();
    stops.push(async () => {
      sweeper.stop();
      tempSweeper.stop();
      await worker!.stop();
      await engines.close();
      await dispatcher.stop();
      if (dispatchDb !== db) await dispatchDb.close();
    });
  }
  let url: string | undefined;
  if (config.role !== 'worker') {
    const app = createHttpServer({
      services,
      actions: new Map(actionList(services, notify.onFinished).map((a) => [a.name, a])),
      log,
      health: async () => ({ role: config.role, region: config.region, database: db.kind }),
    });
    url = await app.listen({ host: config.host, port: config.port });
    // Closing the HTTP server first: open event streams end, in-flight requests finish, new connections are refused.
    stops.unshift(async () => {
      await taskEvents.close();
      await app.close();
    });
  }
  stops.push(async () => {
    await waiters.close();
    await taskEvents.close();
    await storage.close();
    await db.close();
  });
  return {
    url,
    bootstrap,
    services,
    worker,
    async stop() {
      for (const s of stops) await s().catch((err) => log.error({ err }, 'error while stopping'));
    },
  };
}
