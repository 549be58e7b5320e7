// `npm run openapi`: writes openapi/openapi.json from the route schemas. tests/openapi.test.ts fails when the
// committed file differs from what the routes produce.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateOpenApiDocument, OPENAPI_PATH } from '../src/openapi.js';

const document = await generateOpenApiDocument();
writeFileSync(OPENAPI_PATH, `${JSON.stringify(document, null, 2)}\n`);
console.log(`wrote ${fileURLToPath(OPENAPI_PATH)}`);
