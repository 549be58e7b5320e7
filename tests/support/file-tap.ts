// What `import t from 'tap'` gives a test file when it runs inside a test host (tests/hosts/): not tap's root,
// but the subtest the host opened for that file, so that a file's top-level tests, teardowns, hooks and timeout
// belong to the file, exactly as when the file is a process of its own. Outside a host (a file run on its
// own, with node or `npx tap FILE`) nothing maps 'tap' here and this module is never loaded by a test file.
import tap, { type Test } from 'tap';

export * from 'tap';

let currentFile: Test | undefined;

/** Called by the host around each file: the test that stands for it, or undefined between files. */
export function setCurrentFile(test: Test | undefined): void {
  currentFile = test;
}

const target = (): Test => currentFile ?? (tap as unknown as Test);

const fileTap = new Proxy(tap, {
  get(_, property) {
    const test = target();
    const value: unknown = Reflect.get(test, property, test);
    return typeof value === 'function' ? value.bind(test) : value;
  },
  set(_, property, value) {
    return Reflect.set(target(), property, value);
  },
  has(_, property) {
    return Reflect.has(target(), property);
  },
});

export default fileTap;
