/** Per-process figures read from /proc, shared by the benchmarks (Linux only, like the benchmarks). */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces); index 0 is the state. */
const statFields = (stat: string) => stat.slice(stat.lastIndexOf(')') + 2).split(' ');

/** User + system CPU milliseconds a process has used so far; undefined once it is gone. */
export async function pidCpuMs(pid: number): Promise<number | undefined> {
  const t = await pidCpuTimes(pid);
  return t && t.userMs + t.sysMs;
}

/** User and system CPU milliseconds a process has used so far (utime, stime); undefined once it is gone. */
export async function pidCpuTimes(pid: number): Promise<{ userMs: number; sysMs: number } | undefined> {
  try {
    const fields = statFields(await readFile(`/proc/${pid}/stat`, 'utf8'));
    return { userMs: Number(fields[11]) * TICK_MS, sysMs: Number(fields[12]) * TICK_MS };
  } catch {
    return undefined;
  }
}

/** User and system CPU milliseconds of this process's children it has waited for (cutime, cstime). */
export function childrenCpuTimes(): { userMs: number; sysMs: number } {
  const fields = statFields(readFileSync('/proc/self/stat', 'utf8'));
  return { userMs: Number(fields[13]) * TICK_MS, sysMs: Number(fields[14]) * TICK_MS };
}

/** A memory field of /proc/<pid>/status in MiB: VmHWM is the peak resident set, VmRSS the current one. */
export function procStatusMiB(pid: number | 'self', field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) / 1024;
}

/**
 * This process's peak resident set in MiB (VmHWM). Not `process.resourceUsage().maxRSS`: Linux carries
 * ru_maxrss across execve, so a case run in a child spawned by the benchmark would report at least the
 * benchmark process's own RSS at the time of the spawn.
 */
export function peakRssMiB(): number {
  return procStatusMiB('self', 'VmHWM');
}
