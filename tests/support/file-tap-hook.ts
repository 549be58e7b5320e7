// A module resolve hook for the test hosts (registered by tests/support/host.ts): a test file's (or a test
// helper's) `import ... from 'tap'` resolves to tests/support/file-tap.ts, whose default export is the host's
// subtest for the current file. file-tap.ts itself, and tap's own modules, get the real tap.
const FILE_TAP = new URL('./file-tap.ts', import.meta.url).href;
const PROJECT = new URL('../../', import.meta.url).href;
const NODE_MODULES = new URL('../../node_modules/', import.meta.url).href;

interface ResolveContext {
  parentURL?: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve) {
  const parent = context.parentURL;
  if (specifier === 'tap' && parent && parent !== FILE_TAP && parent.startsWith(PROJECT) && !parent.startsWith(NODE_MODULES)) {
    return { url: FILE_TAP, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
