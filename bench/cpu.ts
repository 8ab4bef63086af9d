// CPU accounting for the benchmarks, read from /proc in clock ticks (`ps` counts whole seconds).
import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = 100;

interface ProcessTicks {
  pid: string;
  parent: string;
  command: string;
  ticks: number;
}

/** Every process's own CPU so far (user and system), in clock ticks. */
function processes(): ProcessTicks[] {
  const found: ProcessTicks[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.push({ pid, parent: fields[1] ?? '', command, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended while being read
    }
  }
  return found;
}

/** CPU seconds so far of the processes that `match` picks (by pid or by command name), while they run. */
export function cpuSeconds(match: (pid: string, command: string) => boolean): number {
  return processes()
    .filter((one) => match(one.pid, one.command))
    .reduce((sum, one) => sum + one.ticks / ticksPerSecond, 0);
}

/** Every PostgreSQL server process's CPU seconds so far, while they run. */
export const postgresCpuSeconds = () => cpuSeconds((_pid, command) => command.startsWith('postgres'));

/**
 * CPU used from now until `stop`, by the processes `match` picks, including those that start
 * or end in between: /proc is read every 100 ms, a process that ends is counted to its last
 * reading (up to 100 ms short), one that starts from nothing, and one already running from its
 * reading at the start, never its life before.
 */
export function cpuWindow(match: (one: { pid: string; parent: string; command: string }) => boolean) {
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const read = (starting: boolean) => {
    for (const one of processes().filter(match)) {
      if (!first.has(one.pid)) first.set(one.pid, starting ? one.ticks : 0);
      last.set(one.pid, one.ticks);
    }
  };
  read(true);
  const timer = setInterval(() => read(false), 100);
  return {
    /** CPU seconds used in the window. */
    stop(): number {
      clearInterval(timer);
      read(false);
      let ticks = 0;
      for (const [pid, at] of last) ticks += at - (first.get(pid) ?? 0);
      return ticks / ticksPerSecond;
    },
  };
}

/** The postmaster of the PostgreSQL whose data is in `directory`, and its server processes. */
export function postgresOf(directory: string) {
  const postmaster = (readFileSync(`${directory}/postmaster.pid`, 'utf8').split('\n')[0] ?? '').trim();
  return (one: { pid: string; parent: string }) => one.pid === postmaster || one.parent === postmaster;
}

/** The machine's busy and idle time so far, from /proc/stat. */
export function machine(): { busy: number; idle: number } {
  const [, ...values] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = values.map(Number);
  return { busy: user + nice + system + irq + softirq + steal, idle: idle + iowait };
}

/** The share of the machine left idle between two readings of `machine()`. */
export const idleShare = (before: { busy: number; idle: number }, after: { busy: number; idle: number }) =>
  (after.idle - before.idle) / (after.idle - before.idle + after.busy - before.busy);
