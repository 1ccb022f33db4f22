import request from 'supertest';
import type { App } from 'supertest/types';
import { createTestApi, type TestApi } from './api';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** A time as the API writes it: RFC 3339 in UTC with milliseconds. */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A webhook with every field set (what the Go project's README registers). */
export const VALID_WEBHOOK = {
  name: 'Httpbin Post',
  url: 'https://httpbin.org/post',
  content_type: 'application/json',
  valid_status_codes: [200, 201],
  secret_token: 'my-secret-token',
  active: true,
  max_delivery_attempts: 5,
  delivery_attempt_timeout: 1,
  retry_min_backoff: 10,
  retry_max_backoff: 60,
};

/** The smallest webhook: the one deliveries are made for (nothing is ever sent). */
export const RECEIVER_HOOK = {
  name: 'receiver',
  url: 'http://127.0.0.1:9/hook',
  content_type: 'application/json',
  valid_status_codes: [200],
};

/**
 * The API tests' world: the real API app (pipes, filters, middleware) on one database for
 * the file, with empty tables before each test.
 */
export class ApiFixture {
  db!: TestDatabase;
  api!: TestApi;
  /** With `withHook`: the RECEIVER_HOOK webhook made before each test. */
  hookId!: string;

  /** With `listen`: where the app listens (http://127.0.0.1:<port>). */
  baseUrl!: string;
  private server!: App;

  /**
   * Registers the hooks; call at the top of a describe block. Options: `withHook` makes
   * RECEIVER_HOOK before each test; `seed` runs on the new database before the app starts
   * (API keys, say); `listen` opens a real port for clients other than supertest.
   */
  static use(
    env: Record<string, string> = {},
    options: {
      withHook?: boolean;
      seed?: (db: TestDatabase) => Promise<void>;
      listen?: boolean;
    } = {},
  ): ApiFixture {
    const f = new ApiFixture();
    beforeAll(async () => {
      f.db = await createTestDatabase();
      await options.seed?.(f.db);
      f.api = await createTestApi(f.db, env);
      if (options.listen) {
        await f.api.app.listen(0, '127.0.0.1');
        f.baseUrl = await f.api.app.getUrl();
      }
      f.server = f.api.app.getHttpServer() as App;
    });
    afterAll(async () => {
      await f.api.app.close();
      await f.db.drop();
    });
    beforeEach(async () => {
      await f.truncate();
      if (options.withHook) f.hookId = (await f.createWebhook(RECEIVER_HOOK)).id as string;
    });
    return f;
  }

  /** Empties the tables the tests write (API keys stay). */
  async truncate(): Promise<void> {
    await this.db.dataSource.query(
      'TRUNCATE tenants, webhooks, events, event_types, idempotency_keys CASCADE',
    );
  }

  /** POST /v1/webhooks, which must answer 201; the webhook. */
  async createWebhook(body: object = VALID_WEBHOOK): Promise<Record<string, any>> {
    return (await this.http().post('/v1/webhooks').send(body).expect(201)).body;
  }

  /** POST /v1/deliveries for the fixture's webhook, which must answer 201; the delivery. */
  async createDelivery(body: object = {}): Promise<Record<string, any>> {
    const res = await this.http()
      .post('/v1/deliveries')
      .send({ webhook_id: this.hookId, payload: '{"success": true}', ...body })
      .expect(201);
    return res.body;
  }

  /** An attempt row as the worker writes one (a success or a refused connection); its id. */
  async insertAttempt(deliveryId: string, success: boolean): Promise<string> {
    const [row] = await this.db.dataSource.query<{ id: string }[]>(
      `INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
         response_status_code, execution_duration, success, error)
       SELECT webhook_id, id, 'POST /hook HTTP/1.1', $2, $3, 35000, $4, $5
       FROM deliveries WHERE id = $1 RETURNING id`,
      [
        deliveryId,
        success ? 'HTTP/1.1 200 OK\r\n\r\nok' : '',
        success ? 200 : 0,
        success,
        success ? '' : 'connect ECONNREFUSED 127.0.0.1:9',
      ],
    );
    return row.id;
  }

  /** A request to the app (supertest). */
  http(): ReturnType<typeof request> {
    return request(this.server);
  }
}
