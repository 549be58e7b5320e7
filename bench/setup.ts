import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { buildApp, type AppConfig } from '../src/app.js';
import { loadConfig } from '../src/config.js';

export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

/** A scratch PostgreSQL database for one benchmark run; `drop()` removes it. */
export async function scratchDatabase(suffix: string) {
  const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `herbtrace_bench_${suffix}`;
  // A connection per step: one held open for drop() would keep a run that keeps its database (BENCH_REUSE) alive.
  const onServer = async (statement: string) => {
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(statement);
    } finally {
      await admin.end();
    }
  };
  await onServer(`drop database if exists ${name} with (force)`);
  await onServer(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(`drop database if exists ${name} with (force)`) };
}

export async function startServer(databaseUrl: string | undefined, dataDir = 'memory://', overrides: Partial<AppConfig> = {}) {
  const config: AppConfig = {
    ...loadConfig({}),
    port: 0,
    databaseUrl,
    dataDir,
    adminToken: BENCH_ADMIN_TOKEN,
    secretKey: 'be'.repeat(32),
    publicBaseUrl: 'http://localhost',
    logLevel: 'silent',
    publicRateLimitPerMinute: 1_000_000,
    ...overrides,
  };
  return buildApp({ config, logger: false });
}

export interface LoadResult {
  latencies: number[];
  errors: number;
  firstError?: string;
  elapsedMs: number;
}

/** Runs bench/load.ts in its own process with the given plan. */
export function runLoad(plan: Record<string, unknown>): Promise<LoadResult> {
  const script = fileURLToPath(new URL('./load.ts', import.meta.url));
  // A plan with many paths is larger than one command-line argument may be: it then goes through a file.
  let arg = JSON.stringify(plan);
  let file: string | undefined;
  if (arg.length > 64_000) {
    file = path.join(mkdtempSync(path.join(os.tmpdir(), 'herbtrace-load-')), 'plan.json');
    writeFileSync(file, arg);
    arg = `@${file}`;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, arg], { stdio: ['ignore', 'pipe', 'inherit'] });
    if (file) child.on('exit', () => rmSync(path.dirname(file), { recursive: true, force: true }));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load process exited ${code}`))));
  });
}
