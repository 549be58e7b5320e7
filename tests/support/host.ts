// A test host: one process that runs test files one after another, each as a subtest of its own named after
// the file, taking them from the run's shared queue (tests/support/test-queue.ts). Why: a test process pays
// ≈ 4 s of CPU before its first assertion (Node, the TypeScript loader, tap's hooks, ~1,600 modules, PGlite's
// WebAssembly), which over 52 files was half the suite's CPU time on a 2-core machine. A host pays it once.
//
// A file in a host behaves as it does alone: its `import t from 'tap'` is its own subtest (file-tap.ts), so
// its top-level teardowns run when it ends, its hooks and t.setTimeout are its own, and it gets the per-file
// timeout that tap's runner would give it. What files do share is the process: module-level caches of src/
// (keyed by identifiers that are unique per database, or filled from migrations alike in every database) and
// process.env, which no test file changes. Any file still runs alone: `npx tap tests/FILE.test.ts`.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { setCurrentFile } from './file-tap.js';
import { claimNext, finishIfAllDone, markDone, prepareQueue, queueDir, ROOT } from './test-queue.js';

/** Per file, as tap's runner gives each file (.taprc `timeout` is the hosts' own, for all their files). */
const FILE_TIMEOUT_MS = 360_000;

export async function runHost(): Promise<void> {
  register('./file-tap-hook.ts', import.meta.url);
  const dir = queueDir();
  // Run without tap's before step (node tests/hosts/…): a queue of this host's own.
  if (!existsSync(dir)) prepareQueue(dir);
  for (let file = claimNext(dir); file; file = claimNext(dir)) {
    const started = performance.now();
    const url = pathToFileURL(path.join(ROOT, file)).href;
    await t.test(file, { timeout: FILE_TIMEOUT_MS }, async (ft) => {
      setCurrentFile(ft);
      await import(url);
    });
    setCurrentFile(undefined);
    markDone(file, performance.now() - started, dir);
  }
  finishIfAllDone(dir);
}
