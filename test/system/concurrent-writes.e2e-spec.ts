import type { Receiver } from '../helpers/receiver';
import { until } from '../helpers/wait';
import {
  call,
  createWebhook,
  startStack,
  type Service,
  type StackWithWorker,
} from '../helpers/system';

/** How long one request may take on a busy machine. */
const SLOW = 60_000;
/** Requests in all, and how many clients of each kind send them side by side. */
const LOAD = { operations: 1_800, creators: 3, publishers: 6, senders: 3, deleters: 3 };

describe('system: webhook creates, event publishes, deliveries, dispatch and webhook deletes at once', () => {
  let stack: StackWithWorker;
  let receiver: Receiver;
  let server: Service;

  beforeAll(async () => {
    stack = await startStack();
    ({ receiver, server } = stack);
  });
  afterAll(() => stack.stop());

  it('never answers 5xx: a webhook deleted during a publish is not matched, a delivery for it is a 404, a deadlock is retried', async () => {
    // Every other request fails, so that the worker's completions update webhooks' health
    // rows too (the circuit, failures in a row) while deletes take them.
    let n = 0;
    receiver.respond = (_req, res) => {
      res.writeHead(n++ % 2 === 0 ? 200 : 500).end();
    };
    const url = `${receiver.url}/hook`;
    const live: string[] = [];
    /** The webhooks deleted last (or being deleted): deliveries are sent to them too. */
    const gone: string[] = [];
    for (let i = 0; i < 40; i++) live.push(await createWebhook(server.apiUrl, url, hookBody()));

    const statuses = new Map<string, number>();
    const errors: string[] = [];
    const note = (what: string, res: { status: number; body: unknown }): void => {
      const key = `${what} ${res.status}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      if (res.status >= 500) errors.push(`${key}: ${JSON.stringify(res.body)}`);
    };
    // A busy machine may be slow to answer; what counts is the status, not the time.
    const post = (path: string, body: object): ReturnType<typeof call> =>
      call(server.apiUrl, 'POST', path, body, SLOW);
    let done = 0;
    /** More than this many of each kind succeed, however the machine shares its time. */
    const EACH = 100;
    const succeeded = (key: string) => (): boolean => (statuses.get(key) ?? 0) > EACH;
    /**
     * Runs `step` until the load is done and `enough` of its kind have succeeded (or a
     * 5xx came, which fails the test); a step that had nothing to do returns false.
     */
    const loop = async (
      step: () => Promise<boolean | void>,
      enough: () => boolean,
    ): Promise<void> => {
      while (errors.length === 0 && (done < LOAD.operations || !enough())) {
        if ((await step()) === false) await new Promise((resolve) => setTimeout(resolve, 10));
        else done++;
      }
    };
    const create = async (): Promise<void> => {
      const res = await post('/v1/webhooks', {
        ...hookBody(),
        name: 'hammer',
        url,
        content_type: 'application/json',
        valid_status_codes: [200],
      });
      note('create', res);
      if (res.status === 201) live.push((res.body as { id: string }).id);
    };
    const publish = async (): Promise<void> => {
      const res = await post('/v1/events', {
        event_type: 'load.tick',
        payload: JSON.stringify({ at: done }),
      });
      note('publish', res);
    };
    const send = async (): Promise<void> => {
      const pool = [...live, ...gone];
      const res = await post('/v1/deliveries', {
        webhook_id: pool[Math.floor(Math.random() * pool.length)],
        payload: JSON.stringify({ at: done }),
      });
      note('send', res);
      if (res.status < 500 && res.status !== 201 && res.status !== 404) {
        errors.push(`send ${res.status}`);
      }
    };
    const remove = async (): Promise<boolean> => {
      if (live.length < 10) return false; // wait for the creators
      const [id] = live.splice(Math.floor(Math.random() * live.length), 1);
      gone.unshift(id);
      gone.length = Math.min(gone.length, 10);
      note('delete', await call(server.apiUrl, 'DELETE', `/v1/webhooks/${id}`, undefined, SLOW));
      return true;
    };
    await Promise.all([
      // Creates go on until more than EACH succeeded: with the 40 made first, that leaves
      // the deleters more than EACH to delete while keeping 10.
      ...Array.from({ length: LOAD.creators }, () => loop(create, succeeded('create 201'))),
      ...Array.from({ length: LOAD.publishers }, () => loop(publish, succeeded('publish 201'))),
      ...Array.from({ length: LOAD.senders }, () => loop(send, succeeded('send 201'))),
      ...Array.from({ length: LOAD.deleters }, () => loop(remove, succeeded('delete 204'))),
    ]);

    // On a 5xx, the API's own account of it (its error log lines) comes with the failure.
    const logged = errors.length
      ? server.cli
          .output()
          .split('\n')
          .filter((line) => /"level":(50|60)|error/i.test(line))
          .slice(0, 10)
      : [];
    expect({ errors, logged }).toEqual({ errors: [], logged: [] });
    // The load did what it is for: all four went on side by side, the worker sending.
    expect(statuses.get('create 201')).toBeGreaterThan(EACH);
    expect(statuses.get('publish 201')).toBeGreaterThan(EACH);
    expect(statuses.get('delete 204')).toBeGreaterThan(EACH);
    expect(statuses.get('send 201')).toBeGreaterThan(EACH);
    await until(() => receiver.requests.length > 100, 60_000, 'the worker sending');
  }, 300_000);
});

/** Half the webhooks limited (their deliveries parked, the limited claim locking them). */
function hookBody(): Record<string, unknown> {
  return {
    event_types: ['load.*'],
    max_delivery_attempts: 3,
    retry_min_backoff: 1,
    retry_max_backoff: 1,
    ...(Math.random() < 0.5 ? { max_concurrency: 2 } : {}),
  };
}
