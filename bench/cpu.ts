// CPU accounting for the benchmarks, read from /proc in clock ticks (`ps` counts whole seconds).
import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = 100;

/** CPU seconds so far of the processes that `match` picks (by pid or by command name). */
export function cpuSeconds(match: (pid: string, command: string) => boolean): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!match(pid, command)) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Its own time and its waited-for children's: the postmaster's children are the backends
      // that have ended, so a benchmark's window still counts them after they exit.
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended while being read
    }
  }
  return ticks / ticksPerSecond;
}

/** Every PostgreSQL server process's CPU seconds so far. */
export const postgresCpuSeconds = () => cpuSeconds((_pid, command) => command.startsWith('postgres'));

/** The machine's busy and idle time so far, from /proc/stat. */
export function machine(): { busy: number; idle: number } {
  const [, ...values] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = values.map(Number);
  return { busy: user + nice + system + irq + softirq + steal, idle: idle + iowait };
}

/** The share of the machine left idle between two readings of `machine()`. */
export const idleShare = (before: { busy: number; idle: number }, after: { busy: number; idle: number }) =>
  (after.idle - before.idle) / (after.idle - before.idle + after.busy - before.busy);
