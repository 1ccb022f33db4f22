import request from 'supertest';
import type { App } from 'supertest/types';
import { createTestApi, type TestApi } from './api';
import { createTestDatabase, type TestDatabase } from './database';

/**
 * The API tests' world: the real API app (pipes, filters, middleware) on one database for
 * the file, with empty tables before each test.
 */
export class ApiFixture {
  db!: TestDatabase;
  api!: TestApi;
  private server!: App;

  /** Registers the hooks; call at the top of a describe block. */
  static use(env: Record<string, string> = {}): ApiFixture {
    const f = new ApiFixture();
    beforeAll(async () => {
      f.db = await createTestDatabase();
      f.api = await createTestApi(f.db, env);
      f.server = f.api.app.getHttpServer() as App;
    });
    afterAll(async () => {
      await f.api.app.close();
      await f.db.drop();
    });
    beforeEach(() => f.db.dataSource.query('TRUNCATE webhooks CASCADE'));
    return f;
  }

  /** A request to the app (supertest). */
  http(): ReturnType<typeof request> {
    return request(this.server);
  }
}
