// A file for tests/unit/test-queue.test.ts: runs after the failing ones, in the same host.
import t from 'tap';

console.log('# fixture: passes.ts starts');
t.test('a test that passes', async (t) => {
  t.pass('fixture: passed');
});
