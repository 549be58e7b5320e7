// A file for tests/unit/test-queue.test.ts: run by a test host, its failure must fail the host; its top-level
// teardown must run when this file ends, before the next file starts.
import t from 'tap';

t.teardown(() => console.log('# fixture: teardown of fails.ts'));
t.test('an assertion that fails', async (t) => {
  t.equal(1, 2, 'one is two');
});
