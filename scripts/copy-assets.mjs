// After `tsc -p tsconfig.build.json`: copy the data files that src/ reads at run time (anything that is not
// TypeScript, e.g. the vendored EPCIS JSON-LD context) to the same place under dist/, so the built service finds them.
import { cpSync, readdirSync } from 'node:fs';
import path from 'node:path';

function copy(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name);
    if (entry.isDirectory()) copy(from);
    else if (!entry.name.endsWith('.ts')) cpSync(from, path.join('dist', path.relative('src', from)));
  }
}
copy('src');
