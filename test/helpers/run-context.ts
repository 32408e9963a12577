/**
 * Real run and create contexts for processor tests: a scratch folder, a silent logger, an abort
 * switch, and the progress values the processor reported.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { type CreateContext, defaultProcessorLimits, type RunContext } from '../../src/processors/types.ts';
import type { ScopedStorage } from '../../src/storage/scoped-storage.ts';
import { TEST_ACCOUNT, TEST_REGION } from './storage.ts';

export type TestRunContext = RunContext & {
  progressValues: number[];
  abort(): void;
  cleanup(): Promise<void>;
};

export function makeRunContext(storage: ScopedStorage, overrides: Partial<RunContext> = {}): TestRunContext {
  const controller = new AbortController();
  const signal = overrides.signal
    ? AbortSignal.any([controller.signal, overrides.signal])
    : controller.signal;
  const tmpDir = overrides.tmpDir ?? mkdtempSync(path.join(os.tmpdir(), 'openimm-'));
  const progressValues: number[] = [];
  const taskType = overrides.taskType ?? 'Test';
  return {
    accountId: TEST_ACCOUNT,
    projectName: 'test-project',
    serviceRole: storage.role,
    region: TEST_REGION,
    taskId: `${taskType}-${randomUUID()}`,
    taskType,
    createdAt: new Date(),
    tags: {},
    storage,
    progress: (percent: number) => {
      progressValues.push(percent);
    },
    log: pino({ level: 'silent' }),
    limits: { ...defaultProcessorLimits },
    ...overrides,
    signal,
    tmpDir,
    progressValues,
    abort: () => controller.abort(new Error('aborted by the test')),
    async cleanup() {
      // Only the folder this helper made: a caller-provided tmpDir belongs to the caller.
      if (!overrides.tmpDir) await rm(tmpDir, { recursive: true, force: true });
    },
  };
}

export function makeCreateContext(
  storage: ScopedStorage,
  overrides: Partial<CreateContext> = {},
): CreateContext {
  return {
    accountId: TEST_ACCOUNT,
    projectName: 'test-project',
    serviceRole: storage.role,
    region: TEST_REGION,
    now: new Date(),
    tags: {},
    storage,
    limits: { ...defaultProcessorLimits },
    ...overrides,
  };
}
