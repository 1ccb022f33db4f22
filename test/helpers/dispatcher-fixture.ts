import {
  PLATFORM_SCOPE,
  DeliveriesService,
  DeliveryRepository,
  DeliveryWaker,
  WebhookRepository,
  type Delivery,
  type Webhook,
  type WebhookInput,
} from '@app/domain';
import { loadConfig } from '@app/platform';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { webhookInput } from './fixtures';
import { Receiver } from './receiver';
import { eventually } from './wait';
import { startTestWorker, type TestWorker } from './worker';

export interface AttemptRow {
  id: string;
  delivery_id: string;
  raw_request: string;
  raw_response: string;
  response_status_code: number;
  execution_duration: number;
  success: boolean;
  error: string;
  created_at: Date;
}

/**
 * The worker tests' world: one database for the file, a fresh receiver and empty tables
 * for each test, the worker the test starts (stopped after it), and helpers that create
 * webhooks and deliveries as the API does (committed, then the workers woken).
 */
export class DispatcherFixture {
  db!: TestDatabase;
  receiver!: Receiver;
  worker: TestWorker | undefined;
  webhooks!: WebhookRepository;
  deliveries!: DeliveryRepository;
  private service!: DeliveriesService;

  /** Registers the hooks; call at the top of a describe block. */
  static use(): DispatcherFixture {
    const f = new DispatcherFixture();
    beforeAll(async () => {
      f.db = await createTestDatabase();
      f.webhooks = new WebhookRepository(f.db.dataSource);
      f.deliveries = new DeliveryRepository(f.db.dataSource);
      const waker = new DeliveryWaker(f.db.dataSource);
      f.service = new DeliveriesService(f.deliveries, waker, loadConfig({}));
    });
    afterAll(() => f.db.drop());
    beforeEach(async () => {
      await f.db.dataSource.query('TRUNCATE webhooks, events, idempotency_keys CASCADE');
      f.receiver = await Receiver.start();
    });
    afterEach(async () => {
      await f.worker?.stop();
      f.worker = undefined;
      await f.receiver.close();
    });
    return f;
  }

  /** A long polling interval: anything sent fast was woken by NOTIFY or a timer. */
  async start(env: Record<string, string> = {}): Promise<TestWorker> {
    this.worker = await startTestWorker(this.db, { POSTMAND_POLLING_INTERVAL: '3600000', ...env });
    return this.worker;
  }

  hook(overrides: Partial<WebhookInput> = {}): Promise<Webhook> {
    return this.webhooks.create(
      webhookInput({ url: `${this.receiver.url}/hook?x=1`, ...overrides }),
    );
  }

  deliver(webhookId: string, payload = '{"success": true}', scheduledAt?: Date): Promise<Delivery> {
    return this.service.create({ webhookId, payload, scheduledAt });
  }

  attemptsOf(deliveryId: string): Promise<AttemptRow[]> {
    return this.db.dataSource.query<AttemptRow[]>(
      'SELECT * FROM delivery_attempts_full WHERE delivery_id = $1 ORDER BY created_at, id',
      [deliveryId],
    );
  }

  settled(id: string, status: Delivery['status'] = 'succeeded'): Promise<Delivery> {
    return eventually(
      async () => {
        const d = await this.deliveries.findById(PLATFORM_SCOPE, id);
        return d?.status === status ? d : undefined;
      },
      60_000,
      `delivery ${id} to be ${status}`,
    );
  }
}
