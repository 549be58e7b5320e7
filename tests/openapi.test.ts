import { readFileSync } from 'node:fs';
import t from 'tap';
import { generateOpenApiDocument, OPENAPI_PATH } from '../src/openapi.js';

type Operation = { tags?: string[]; summary?: string; security?: unknown[]; requestBody?: unknown; responses?: Record<string, unknown> };

t.test('the committed openapi/openapi.json is what the routes produce', async (t) => {
  const generated = JSON.parse(JSON.stringify(await generateOpenApiDocument())) as { paths: Record<string, Record<string, Operation>> };
  const committed = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as unknown;
  t.same(committed, generated, 'openapi/openapi.json is stale: run `npm run openapi` and commit the result');

  for (const [path, methods] of Object.entries(generated.paths)) {
    if (path.startsWith('/docs')) continue;
    for (const [method, op] of Object.entries(methods)) {
      t.ok(op.tags && op.tags.length > 0, `${method.toUpperCase()} ${path} has a tag`);
      t.ok(op.summary, `${method.toUpperCase()} ${path} has a summary`);
      t.ok(op.responses && Object.keys(op.responses).some((s) => s.startsWith('2')), `${method.toUpperCase()} ${path} documents its success response`);
    }
  }
  t.ok(generated.paths['/v1/organizations']?.post?.security, 'admin routes declare their security');
});
