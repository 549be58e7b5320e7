// The test hosts' shared queue (tests/support/test-queue.ts): every test file but the hosts is queued, each is
// claimed by exactly one host, longest first by the last run's durations, and a run is finished only when every
// file is done. A queue that lost or doubled a file would pass the suite without running a test, or run it twice.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { claimNext, finishIfAllDone, markDone, prepareQueue, queuedFiles, ROOT, testFiles } from '../support/test-queue.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'herbtrace-queue-test-'));
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));

t.test('every test file but the hosts, once', async (t) => {
  const files = testFiles();
  t.ok(files.includes('tests/unit/test-queue.test.ts'), 'this file among them');
  t.ok(files.includes('tests/codes.test.ts'));
  t.notOk(files.some((f) => f.startsWith('tests/hosts/')), 'no host runs inside a host');
  t.notOk(files.some((f) => !f.endsWith('.test.ts')), 'only test files');
  t.equal(new Set(files).size, files.length);
});

t.test('two hosts claiming in turn take every file exactly once; the run ends when all are done', async (t) => {
  const dir = path.join(scratch, 'herbtrace-test-queue-unit-1');
  const durations = path.join(scratch, 'durations.json');
  prepareQueue(dir, durations);
  const queued = queuedFiles(dir);
  t.strictSame([...queued].sort(), testFiles(), 'the queue holds every test file');
  const taken: string[][] = [[], []];
  for (let host = 0; ; host = 1 - host) {
    const file = claimNext(dir);
    if (!file) break;
    taken[host]!.push(file);
  }
  t.equal(claimNext(dir), undefined, 'nothing left once all are claimed');
  t.strictSame([...taken[0]!, ...taken[1]!].sort(), testFiles(), 'each file claimed once, by one host');
  t.ok(taken[0]!.length > 0 && taken[1]!.length > 0, 'both hosts got files');

  queued.slice(0, -1).forEach((file, i) => markDone(file, 1000 + i, dir));
  finishIfAllDone(dir, durations);
  t.notOk(existsSync(path.join(dir, 'finished')), 'one file still running: not finished');
  t.notOk(existsSync(durations), 'and no durations kept');
  markDone(queued.at(-1)!, 5_000_000, dir);
  finishIfAllDone(dir, durations);
  t.ok(existsSync(path.join(dir, 'finished')), 'all done: finished');
  const kept = JSON.parse(readFileSync(durations, 'utf8')) as Record<string, number>;
  t.equal(Object.keys(kept).length, queued.length, 'a duration for every file');
  t.equal(kept[queued.at(-1)!], 5_000_000);

  // The next run puts the longest of the last one first.
  const next = path.join(scratch, 'herbtrace-test-queue-unit-2');
  prepareQueue(next, durations);
  t.equal(queuedFiles(next)[0], queued.at(-1), 'the longest file of the last run goes first');
  t.notOk(existsSync(dir), 'the finished queue of the last run is removed');
});

t.test('without durations, bigger files go first', async (t) => {
  const durations = path.join(scratch, 'none.json');
  writeFileSync(durations, 'not json');
  const dir = path.join(scratch, 'herbtrace-test-queue-unit-3');
  prepareQueue(dir, durations);
  const sizes = queuedFiles(dir).map((f) => readFileSync(path.join(ROOT, f)).length);
  t.ok(sizes.every((s, i) => i === 0 || sizes[i - 1]! >= s), 'in order of size');
});

t.test('a host runs its files in turn, each as its own test: a failure or a throw fails the host, the rest still run', async (t) => {
  const dir = path.join(scratch, 'herbtrace-test-queue-unit-host');
  mkdirSync(dir);
  const fixtures = ['fails', 'throws', 'passes'].map((name) => `tests/support/host-fixtures/${name}.ts`);
  writeFileSync(path.join(dir, 'files.json'), JSON.stringify(fixtures));
  const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'tests/hosts/host-1.test.ts'], { cwd: ROOT, env: { ...process.env, HERBTRACE_TEST_QUEUE: dir, HERBTRACE_TEST_DURATIONS: path.join(scratch, 'host-durations.json'), TAP: '' } }, (err, stdout) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, out: stdout }),
    );
  });
  t.equal(run.code, 1, 'the host fails');
  t.match(run.out, /^not ok 1 - tests\/support\/host-fixtures\/fails\.ts/m, 'the failing file fails');
  t.match(run.out, /not ok 1 - one is two/, 'with its assertion');
  t.match(run.out, /^not ok 2 - tests\/support\/host-fixtures\/throws\.ts/m, 'the throwing file fails');
  t.match(run.out, /fixture: thrown at the top level/);
  t.match(run.out, /^ok 3 - tests\/support\/host-fixtures\/passes\.ts/m, 'the next file still runs, and passes');
  const teardown = run.out.indexOf('# fixture: teardown of fails.ts');
  t.ok(teardown >= 0 && teardown < run.out.indexOf('# Subtest: tests/support/host-fixtures/throws.ts'), "a file's top-level teardown runs when it ends, before the next file");
  t.ok(existsSync(path.join(dir, 'finished')), 'all three done: the queue is finished');
  t.strictSame(Object.keys(JSON.parse(readFileSync(path.join(scratch, 'host-durations.json'), 'utf8'))), fixtures, 'their durations kept');
});
