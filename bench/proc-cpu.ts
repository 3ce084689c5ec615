// CPU time from /proc for the heartbeat rows (issue 15 item 5): on 2 cores shared by the server
// processes, PostgreSQL and the load generator, throughput alone cannot show how replicas scale,
// so each row reports where the CPU went per heartbeat. Linux only, like the benchmark.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux build we run on). */
const TICKS_PER_S = 100;

/** The fields after `(comm)` of /proc/<pid>/stat; comm may hold spaces or parentheses. */
function statFields(pid: number): string[] | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // exited
  }
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

const ms = (ticks: number) => (ticks / TICKS_PER_S) * 1000;

/** utime + stime of a process (all its threads: worker threads included), in ms; 0 once gone. */
export function processCpuMs(pid: number): number {
  const f = statFields(pid);
  return f ? ms(Number(f[11]) + Number(f[12])) : 0;
}

/**
 * Every PostgreSQL process of one cluster, in ms: the postmaster, its live children (backends,
 * walwriter, checkpointer, autovacuum) and, through the postmaster's cutime/cstime, the children
 * that exited and were reaped. A difference of two readings is the cluster's CPU in between.
 */
export function clusterCpuMs(postmasterPid: number): number {
  const pm = statFields(postmasterPid);
  if (!pm) throw new Error(`bench: PostgreSQL's postmaster (pid ${postmasterPid}) is gone`);
  let ticks = Number(pm[11]) + Number(pm[12]) + Number(pm[13]) + Number(pm[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (f && Number(f[1]) === postmasterPid) ticks += Number(f[11]) + Number(f[12]);
  }
  return ms(ticks);
}

/** The postmaster's pid, from the first line of the data directory's postmaster.pid. */
export function postmasterPid(dataDir: string): number {
  const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`bench: no postmaster pid in ${dataDir}`);
  return pid;
}

/**
 * The machine's CPU counters (/proc/stat's first line) in ms over all cores: busy, idle while a
 * process waited for the disk (iowait: a commit's fsync, someone else's), and the total.
 */
export function machineCpuMs(): { busy: number; iowait: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: ms(total - v[3]! - v[4]!), iowait: ms(v[4]!), total: ms(total) };
}

/** Readings of a set of processes taken at start(); finish() answers the CPU spent since. */
export function cpuWindow(pids: { replicas: number[]; postmaster?: number }) {
  const replicas0 = pids.replicas.map(processCpuMs);
  const pg0 = pids.postmaster ? clusterCpuMs(pids.postmaster) : 0;
  const self0 = process.cpuUsage();
  const machine0 = machineCpuMs();
  return () => {
    const replicas = pids.replicas.map((pid, i) => processCpuMs(pid) - replicas0[i]!);
    const postgres = pids.postmaster ? clusterCpuMs(pids.postmaster) - pg0 : 0;
    const self = process.cpuUsage(self0);
    const machine = machineCpuMs();
    const total = machine.total - machine0.total;
    return {
      /** ms of CPU per replica process. */
      replicas,
      postgres,
      /** This process: the load generator and the page sampler. */
      loadGenerator: (self.user + self.system) / 1000,
      /** Share of all cores busy, whoever ran (other work on the machine included). */
      machineBusy: total > 0 ? (machine.busy - machine0.busy) / total : 0,
      /** Share of all cores idle with a process waiting for the disk. */
      machineIowait: total > 0 ? (machine.iowait - machine0.iowait) / total : 0,
    };
  };
}

export type CpuSpent = ReturnType<ReturnType<typeof cpuWindow>>;

/**
 * Bytes a process had written to files, from /proc/<pid>/io: `write_bytes` counts what it sent
 * to the storage layer (SQLite's WAL frames and checkpoints; not its sockets, unlike `wchar`).
 * 0 once the process is gone.
 */
export function processFileWriteBytes(pid: number): number {
  try {
    const m = /^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
