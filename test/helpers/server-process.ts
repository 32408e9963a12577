import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const OPENIMM_BIN = path.join(REPO_ROOT, 'bin/openimm.js');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** host:port, as SDK configs take it. */
  endpoint: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `openimm serve` as a real child process on a free port and waits until it listens. */
export async function startServerProcess(opts: {
  dataDir: string;
  /** Added to this process's environment; a variable given as undefined is left out. */
  env?: Record<string, string | undefined>;
  args?: string[];
  timeoutMs?: number;
}): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENIMM_LOG_LEVEL: 'info', ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(
    process.execPath,
    [OPENIMM_BIN, 'serve', '--data-dir', opts.dataDir, '--port', '0', ...(opts.args ?? [])],
    {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start:\n${out}`)),
      opts.timeoutMs ?? 240_000,
    );
    const check = () => {
      const line = out.split('\n').find((l) => l.includes('"msg":"openimm started"'));
      if (line) {
        clearTimeout(timer);
        resolve(/"url":"(http:\/\/[^"]+)"/.exec(line)?.[1] ?? '');
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    child,
    url,
    endpoint: url.replace(/^http:\/\//, ''),
    output: () => out,
    stop(signal = 'SIGTERM') {
      return new Promise((resolve) => {
        // A child ended by a signal has exitCode null and signalCode set: both mean it is gone, and 'exit' will
        // not fire again.
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      });
    },
  };
}

/** Runs the openimm CLI to completion. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [OPENIMM_BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
