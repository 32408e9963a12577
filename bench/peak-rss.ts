import { readFileSync } from 'node:fs';

/**
 * This process's peak resident set in MiB (VmHWM from /proc). Not `process.resourceUsage().maxRSS`: Linux
 * carries ru_maxrss across execve, so a case run in a child spawned by the benchmark would report at least the
 * benchmark process's own RSS at the time of the spawn.
 */
export function peakRssMiB(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]) / 1024;
}
