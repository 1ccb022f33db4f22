import * as fs from 'node:fs';
import { ApiFixture } from '../helpers/api-fixture';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain Node script, shared with npm run generate:api-types
const { apiTypes, SCHEMA } = require('../../apps/ui/scripts/generate-api-types.js') as {
  apiTypes(doc: object): string;
  SCHEMA: string;
};

/**
 * The dashboard calls the API through types generated from the served OpenAPI document
 * (with access control on, so 401 and 403 are typed too). The generated file is kept in
 * the repository; this test fails when it is stale. Regenerate it with
 * `npm run generate:api-types` (which runs this test with UPDATE_API_TYPES=1).
 */
describe('the dashboard’s API types', () => {
  const f = ApiFixture.use({ POSTMAND_AUTH: 'api_key' });

  it('are those openapi-typescript generates from the served document', async () => {
    const doc = (await f.http().get('/swagger/doc.json').expect(200)).body as object;
    const generated = apiTypes(doc);
    if (process.env.UPDATE_API_TYPES === '1') fs.writeFileSync(SCHEMA, generated);
    expect(fs.readFileSync(SCHEMA, 'utf8')).toBe(generated);
  });
});
