import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const ROOT = path.resolve(__dirname, '../..');
const SCHEMA = path.join(ROOT, 'apps/ui/src/api/schema.d.ts');

/**
 * The dashboard calls the API through types generated from the served OpenAPI document
 * (with access control on, so 401 and 403 are typed too). The generated file is kept in
 * the repository; this test fails when it is stale. Regenerate it with
 * `UPDATE_API_TYPES=1 npx jest test/ui/api-types`.
 */
describe('the dashboard’s API types', () => {
  let db: TestDatabase;
  let api: TestApi;

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await createTestApi(db, { POSTMAND_AUTH: 'api_key' });
  });
  afterAll(async () => {
    await api.app.close();
    await db.drop();
  });

  it('are those openapi-typescript generates from the served document', async () => {
    const doc = (
      await request(api.app.getHttpServer() as App)
        .get('/swagger/doc.json')
        .expect(200)
    ).body as object;
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
