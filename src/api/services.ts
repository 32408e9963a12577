import type { Logger } from 'pino';
import type { AccessKeyCache } from '../accounts/access-key-cache.ts';
import type { ServerConfig } from '../config/config.ts';
import type { Db } from '../db/types.ts';
import type { TaskProcessor, TaskScope } from '../processors/types.ts';
import type { ProjectCache } from '../projects/project-cache.ts';
import type { NonceStore } from '../protocol/nonce-cache.ts';
import type { CredentialConfig } from '../storage/credential-config.ts';
import type { StorageRegistry } from '../storage/registry.ts';
import type { ScopedStorage } from '../storage/scoped-storage.ts';
import type { NewTask } from '../tasks/sql/insert-task.ts';
import type { TaskEventHub } from './task-events.ts';
import type { TaskWaiters } from './task-waiters.ts';
import type { Throttle } from './throttle.ts';

/** Everything an action handler may use; built once at start-up and passed in (no globals). */
export interface AppServices {
  config: ServerConfig;
  db: Db;
  log: Logger;
  /** Processors by their Create action name. */
  processorsByAction: ReadonlyMap<string, TaskProcessor>;
  /** Processors by TaskType. */
  processorsByType: ReadonlyMap<string, TaskProcessor>;
  storage: StorageRegistry;
  /**
   * A task's storage: its project's role, or the role its CredentialConfig resolves to (throws the
   * ImmError of a chain that cannot be honoured).
   */
  storageFor(scope: TaskScope, credentialConfig?: CredentialConfig): ScopedStorage;
  /** Signing secrets by AccessKeyId. */
  accessKeys: AccessKeyCache;
  /** Commits a queued task (creates arriving together share one statement). */
  insertTask(task: NewTask): Promise<void>;
  /** Projects for the create path (a short-lived cache; other actions read the table). */
  projects: ProjectCache;
  nonces: NonceStore;
  throttle: Throttle;
  waiters: TaskWaiters;
  taskEvents: TaskEventHub;
  /** Create-time parsing of the task's notification targets (throws ImmError). */
  parseNotificationTargets(params: Record<string, unknown>): unknown[];
}

export interface ActionContext {
  services: AppServices;
  accountId: string;
  requestId: string;
  params: Record<string, unknown>;
  log: Logger;
}

/**
 * One wire action: its name and handler; the handler's object becomes the body (RequestId is added). A handler
 * may instead answer `{ stream }`: a server-sent-events body written as it is produced.
 */
export interface ActionDefinition {
  name: string;
  handler(ctx: ActionContext): Promise<Record<string, unknown> & { stream?: AsyncIterable<string> }>;
}
