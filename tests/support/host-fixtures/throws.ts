// A file for tests/unit/test-queue.test.ts: a throw at its top level fails it, and the host goes on.
import t from 'tap';

t.test('a test before the throw', async (t) => {
  t.pass('ran');
});
throw new Error('fixture: thrown at the top level');
