/** Per-process figures read from /proc, shared by the benchmarks (Linux only, like the benchmarks). */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** User + system CPU milliseconds a process has used so far; undefined once it is gone. */
export async function pidCpuMs(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
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
