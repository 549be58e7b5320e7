import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../src/db/client.js';
import { runLoad, type LoadResult } from './setup.js';

/** CPU time spent by the service (this process) and by its database's server processes during one phase of load. */
export interface CpuSpent {
  serviceMs: number;
  /** Null when the database's processes cannot be read here (another host, no /proc). */
  databaseMs: number | null;
}

/**
 * Measures the CPU a phase of load costs, in this process (the service; the load runs in its own) and in the
 * PostgreSQL backends of the benchmark's database, read from /proc when the database runs on this machine.
 * Divided by the requests, it says what a request costs: on a shared machine this moves far less with other
 * people's work than throughput does, which falls with whatever else takes the cores.
 */
export async function cpuMeter(db: Database): Promise<{ stop(): Promise<CpuSpent> }> {
  const backends = async () =>
    (await queryRows<{ pid: number }>(db, sql`select pid from pg_stat_activity where datname = current_database()`)).map((r) => Number(r.pid));
  const startedService = process.cpuUsage();
  const startedDatabase = new Map((await backends()).map((pid) => [pid, backendCpuMs(pid)]));
  return {
    async stop() {
      const service = process.cpuUsage(startedService);
      let databaseMs: number | null = null;
      // A backend that started during the phase started from nothing; one that ended is left out with its time
      // (the pools keep their connections, so neither happens under load).
      for (const pid of new Set([...startedDatabase.keys(), ...(await backends())])) {
        const now = backendCpuMs(pid);
        const before = startedDatabase.has(pid) ? startedDatabase.get(pid)! : 0;
        if (now === null || before === null) continue;
        databaseMs = (databaseMs ?? 0) + Math.max(0, now - before);
      }
      return { serviceMs: (service.user + service.system) / 1000, databaseMs };
    },
  };
}

/** A local PostgreSQL process's CPU time so far (ms): scheduler time in ns where the kernel keeps it, else user + system ticks. */
function backendCpuMs(pid: number): number | null {
  try {
    // The same pid on this machine is not the database's process when the database runs elsewhere.
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('postgres')) return null;
    if (existsSync(`/proc/${pid}/schedstat`)) return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return null;
  }
}

export type MeasuredLoad = LoadResult & { cpu: CpuSpent };

/** runLoad, with the CPU the run cost the service and the database. */
export async function measuredLoad(db: Database, plan: Record<string, unknown>): Promise<MeasuredLoad> {
  const meter = await cpuMeter(db);
  const result = await runLoad(plan);
  return { ...result, cpu: await meter.stop() };
}

/** CPU µs per request over runs: the service's, the database's (null when unknown) and both. */
export function cpuPerRequest(runs: MeasuredLoad[]) {
  const requests = runs.reduce((s, r) => s + r.latencies.length, 0);
  const serviceUs = (runs.reduce((s, r) => s + r.cpu.serviceMs, 0) * 1000) / requests;
  const databaseUs = runs.some((r) => r.cpu.databaseMs === null) ? null : (runs.reduce((s, r) => s + r.cpu.databaseMs!, 0) * 1000) / requests;
  return { serviceUs, databaseUs, totalUs: databaseUs === null ? null : serviceUs + databaseUs };
}

/** The three CPU columns of a benchmark table. */
export const CPU_COLUMNS = ['service CPU µs/req', 'database CPU µs/req', 'CPU µs/req'];
export const cpuCells = (c: ReturnType<typeof cpuPerRequest>) => [c.serviceUs, c.databaseUs ?? '–', c.totalUs ?? '–'];
