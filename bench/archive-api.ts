/**
 * The archive benchmark's openimm side through the HTTP API: a fresh `openimm serve` process per phase
 * (embedded PGlite, or the PostgreSQL database of OPENIMM_BENCH_DATABASE_URL; fs buckets under the data
 * set's folder), a small warm-up task pair first (module
 * loading, JIT and the first database writes are not what is measured), then the measured task created
 * with openapi-core and awaited with WaitTask. Reports the server process's wall time for the task, its
 * CPU time meanwhile, its idle RSS before the task and its peak RSS (VmHWM, so the server's own, not
 * carried over from the process that spawned it).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type ImmCallError, type ImmClient, makeImmClient } from '../test/helpers/imm-clients.ts';
import { startServerProcess } from '../test/helpers/server-process.ts';
import { pidCpuTimes, procStatusMiB } from './proc-stats.ts';

const KEYS = { accessKeyId: 'LTAIbencharchive0001', accessKeySecret: 'bencharchivesecret00000000001' };
const PROJECT = 'bench';
/** PostgreSQL for the server instead of the embedded PGlite (whose WebAssembly heap alone is ~870 MiB RSS). */
const DATABASE_URL = process.env.OPENIMM_BENCH_DATABASE_URL;

export const databaseName = () => (DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite');

export type Phase = 'compress' | 'uncompress';

export interface PhaseResult {
  wallMs: number;
  /** CPU of the openimm process during the task. */
  userMs: number;
  sysMs: number;
  maxRssMiB: number;
  /** The server's RSS before the task (API mode only). */
  idleRssMiB?: number;
}

/** The task of each phase: pack `src/` into `out/openimm.zip`, unpack it under `<target>/` (`x/`). */
export function phaseTask(
  phase: Phase,
  bucket: string,
  target = 'x',
): { action: string; type: string; params: object } {
  return phase === 'compress'
    ? {
        action: 'CreateFileCompressionTask',
        type: 'FileCompression',
        params: { TargetURI: `oss://${bucket}/out/openimm.zip`, Sources: [{ URI: `oss://${bucket}/src/` }] },
      }
    : {
        action: 'CreateFileUncompressionTask',
        type: 'FileUncompression',
        params: { SourceURI: `oss://${bucket}/out/openimm.zip`, TargetURI: `oss://${bucket}/${target}/` },
      };
}

/** Creates a task and waits for its end; a WaitTask that times out on the client side is asked again. */
async function runTask(client: ImmClient, action: string, type: string, params: object): Promise<void> {
  const { TaskId } = await client.call(action, {
    ProjectName: PROJECT,
    ...(params as Record<string, object>),
  });
  let task: Record<string, any> = { Status: 'Running' };
  while (task.Status === 'Running') {
    task = await client
      .call('WaitTask', { ProjectName: PROJECT, TaskId, TaskType: type, Timeout: 30 })
      .catch((err: ImmCallError) => {
        if (err.statusCode) throw err;
        return { Status: 'Running' };
      });
  }
  if (task.Status !== 'Succeeded') throw new Error(`${type}: ${task.Code} ${task.Message}`);
}

async function warmUp(client: ImmClient, bucket: string, bucketDir: string): Promise<void> {
  await writeFile(path.join(bucketDir, 'warm-up.txt'), 'warm up '.repeat(1000));
  const zip = `oss://${bucket}/warm-up/w.zip`;
  await runTask(client, 'CreateFileCompressionTask', 'FileCompression', {
    TargetURI: zip,
    Sources: [{ URI: `oss://${bucket}/warm-up.txt`, Mode: 'fullname' }],
  });
  await runTask(client, 'CreateFileUncompressionTask', 'FileUncompression', {
    SourceURI: zip,
    TargetURI: `oss://${bucket}/warm-up/x/`,
  });
}

/** One phase through a fresh server on `dataDir` (buckets are its `oss/<name>` folders). */
export async function runPhaseApi(
  phase: Phase,
  dataDir: string,
  bucket: string,
  target = 'x',
): Promise<PhaseResult> {
  const server = await startServerProcess({
    dataDir,
    env: {
      OPENIMM_ACCESS_KEY_ID: KEYS.accessKeyId,
      OPENIMM_ACCESS_KEY_SECRET: KEYS.accessKeySecret,
      ...(DATABASE_URL ? { OPENIMM_DATABASE_URL: DATABASE_URL } : {}),
    },
  });
  try {
    const client = makeImmClient('acs3', server.endpoint, KEYS, { readTimeoutMs: 120_000 });
    await client.call('CreateProject', { ProjectName: PROJECT }).catch(() => {});
    await warmUp(client, bucket, path.join(dataDir, 'oss', bucket));
    const pid = server.child.pid!;
    const idleRssMiB = procStatusMiB(pid, 'VmRSS');
    const cpu0 = (await pidCpuTimes(pid))!;
    const { action, type, params } = phaseTask(phase, bucket, target);
    const start = performance.now();
    await runTask(client, action, type, params);
    const wallMs = performance.now() - start;
    const cpu = (await pidCpuTimes(pid))!;
    return {
      wallMs,
      userMs: cpu.userMs - cpu0.userMs,
      sysMs: cpu.sysMs - cpu0.sysMs,
      maxRssMiB: procStatusMiB(pid, 'VmHWM'),
      idleRssMiB,
    };
  } finally {
    await server.stop();
  }
}
