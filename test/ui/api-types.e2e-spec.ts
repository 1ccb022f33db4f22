import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiFixture } from '../helpers/api-fixture';

const ROOT = path.resolve(__dirname, '../..');
const SCHEMA = path.join(ROOT, 'apps/ui/src/api/schema.d.ts');

/**
 * The dashboard calls the API through types generated from the served OpenAPI document
 * (with access control on, so 401 and 403 are typed too). The generated file is kept in
 * the repository; this test fails when it is stale. Regenerate it with
 * `UPDATE_API_TYPES=1 npx jest test/ui/api-types`.
 */
describe('the dashboard’s API types', () => {
  const f = ApiFixture.use({ POSTMAND_AUTH: 'api_key' });

  it('are those openapi-typescript generates from the served document', async () => {
    const doc = (await f.http().get('/swagger/doc.json').expect(200)).body as object;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postmand-ui-types-'));
    try {
      fs.writeFileSync(path.join(dir, 'doc.json'), JSON.stringify(doc));
      execFileSync(
        process.execPath,
        [
          path.join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'),
          path.join(dir, 'doc.json'),
          '-o',
          path.join(dir, 'schema.d.ts'),
        ],
        { stdio: 'pipe' },
      );
      const generated = fs.readFileSync(path.join(dir, 'schema.d.ts'), 'utf8');
      if (process.env.UPDATE_API_TYPES === '1') fs.writeFileSync(SCHEMA, generated);
      expect(fs.readFileSync(SCHEMA, 'utf8')).toBe(generated);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
