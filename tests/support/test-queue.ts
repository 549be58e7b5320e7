// The queue of test files that the test hosts (tests/hosts/) share in one `npm test` run. tap's before step
// (tests/support/before.ts) writes it; every host claims the next file with an exclusive create, so each file
// runs exactly once, in whichever host is free first. Files are queued longest first (by the durations of the
// last run, kept in node_modules/.cache; by size on a fresh checkout) so that the run does not end waiting on
// one long file.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HOSTS_DIR = 'tests/hosts';
// HERBTRACE_TEST_DURATIONS: elsewhere, for a test of the hosts that must not overwrite the real run's.
const DURATIONS = process.env.HERBTRACE_TEST_DURATIONS ?? path.join(ROOT, 'node_modules/.cache/herbtrace/test-durations.json');

/**
 * One queue per run of tap's runner: the before step and the hosts are all its children, so its process id
 * (their parent's) names the run. HERBTRACE_TEST_QUEUE names one outright.
 */
export function queueDir(): string {
  return process.env.HERBTRACE_TEST_QUEUE ?? path.join(os.tmpdir(), `herbtrace-test-queue-${process.ppid}`);
}

/** Every test file under tests/ but the hosts, as paths relative to the project root. */
export function testFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (rel !== HOSTS_DIR) walk(rel);
      } else if (entry.name.endsWith('.test.ts')) found.push(rel);
    }
  };
  walk('tests');
  return found.sort();
}

function lastDurations(file: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

/** Writes a fresh queue (from the before step; a host run on its own writes one for itself). */
export function prepareQueue(dir = queueDir(), durationsFile = DURATIONS): void {
  const durations = lastDurations(durationsFile);
  // Without a duration from the last run, a file's size stands in for its cost (≈ 1 ms a byte is no worse a
  // guess than any) so that big files still go first.
  const cost = (file: string) => durations[file] ?? statSync(path.join(ROOT, file)).size;
  const files = testFiles().sort((a, b) => cost(b) - cost(a) || a.localeCompare(b));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'files.json'), JSON.stringify(files));
  removeStaleQueues(dir);
}

/**
 * Queues of earlier runs: finished ones (the last host marks them), and any a day old (a killed run, or
 * `npx tap FILE`, whose queue no host takes). A finished queue stays until then: a host that has run its last
 * file still looks for another while the last host to finish writes the mark.
 */
function removeStaleQueues(keep: string): void {
  const parent = path.dirname(keep);
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const name of readdirSync(parent)) {
    const full = path.join(parent, name);
    if (!name.startsWith('herbtrace-test-queue-') || full === keep) continue;
    try {
      if (existsSync(path.join(full, 'finished')) || statSync(full).mtimeMs < dayAgo) rmSync(full, { recursive: true, force: true });
    } catch {
      // removed by another run meanwhile
    }
  }
}

export function queuedFiles(dir = queueDir()): string[] {
  return JSON.parse(readFileSync(path.join(dir, 'files.json'), 'utf8')) as string[];
}

/** The next unclaimed file, now claimed by the caller; undefined when every file is taken. */
export function claimNext(dir = queueDir()): string | undefined {
  const files = queuedFiles(dir);
  for (let i = 0; i < files.length; i++) {
    try {
      closeSync(openSync(path.join(dir, `claimed-${i}`), 'wx'));
      return files[i];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return undefined;
}

/** Records that a file ran to its end, and how long it took. */
export function markDone(file: string, ms: number, dir = queueDir()): void {
  const i = queuedFiles(dir).indexOf(file);
  writeFileSync(path.join(dir, `done-${i}`), String(Math.round(ms)));
}

/**
 * When every queued file is done (the last host to finish sees it), keeps their durations for the next run's
 * order and marks the queue finished; files still running elsewhere leave that to their host.
 */
export function finishIfAllDone(dir = queueDir(), durationsFile = DURATIONS): void {
  const files = queuedFiles(dir);
  const durations: Record<string, number> = {};
  for (let i = 0; i < files.length; i++) {
    const done = path.join(dir, `done-${i}`);
    if (!existsSync(done)) return;
    durations[files[i]!] = Number(readFileSync(done, 'utf8'));
  }
  mkdirSync(path.dirname(durationsFile), { recursive: true });
  writeFileSync(durationsFile, JSON.stringify(durations, null, 1));
  writeFileSync(path.join(dir, 'finished'), '');
}
