// The answers written by hand for speed (provenance, descendants and timeline build their JSON text themselves;
// the consumer resolve joins pre-serialised parts) must match the schemas the OpenAPI document promises.
import t from 'tap';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { codedChain } from './support/codes.js';

const w = await codedChain(t);
await w.app.ready();
const document = w.app.swagger() as { components: { schemas: Record<string, object> }; paths: Record<string, Record<string, any>> };
const ajv = new Ajv.default({ strict: false, allErrors: true });
addFormats.default(ajv);
// The document's components, referenced as #/components/schemas/… from the response schemas.
ajv.addSchema({ $id: 'openapi', components: document.components });

function validatorFor(path: string, status: string) {
  const content = document.paths[path]!.get.responses[status].content['application/json'].schema;
  const rewritten = JSON.parse(JSON.stringify(content).replaceAll('"#/components/', '"openapi#/components/'));
  return ajv.compile(rewritten);
}

const [unit] = (await w.issue(w.coop.headers, w.product.id, { count: 1 })).json().codes as { code: string }[];

const cases: [string, string, string][] = [
  ['/v1/lots/{id}/provenance', `/v1/lots/${w.product.id}/provenance`, '200'],
  ['/v1/lots/{id}/descendants', `/v1/lots/${w.seed.id}/descendants`, '200'],
  ['/v1/lots/{id}/timeline', `/v1/lots/${w.product.id}/timeline`, '200'],
  ['/q/{code}', `/q/${unit!.code}`, '200'],
  ['/q/{code}', '/q/ABCDEFGH23456789', '404'],
];

for (const [path, url, status] of cases) {
  t.test(`${url} matches the OpenAPI schema of ${path} ${status}`, async (t) => {
    const res = await w.app.inject({ method: 'GET', url, headers: { ...w.coop.headers, accept: 'application/json' } });
    t.equal(String(res.statusCode), status, res.body.slice(0, 200));
    const validate = validatorFor(path, status);
    const body = res.json();
    t.ok(validate(body), JSON.stringify(validate.errors?.slice(0, 5)));
    // The check can fail: a body missing a required member is refused.
    const broken = { ...body };
    delete broken[Object.keys(body)[0]!];
    t.notOk(validate(broken), 'a body without its first member fails the schema');
  });
}
