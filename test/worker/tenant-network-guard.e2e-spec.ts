import { type AttemptRow, DispatcherFixture } from '../helpers/dispatcher-fixture';
import { eventually } from '../helpers/wait';

const TENANT_REFUSAL = /\(a tenant's webhook may reach public addresses only\)$/;
const PLATFORM_REFUSAL = /\(POSTMAND_BLOCK_PRIVATE_NETWORKS is on\)$/;

/**
 * SPEC §16 "Private networks and tenants", with the real worker and a real receiver on
 * 127.0.0.1: a tenant's webhooks always pass the private-network guard, whatever
 * POSTMAND_BLOCK_PRIVATE_NETWORKS says (it governs the platform's own webhooks), and
 * POSTMAND_ALLOWED_NETWORKS exempts ranges for every webhook.
 */
describe('worker: the private-network guard and tenants', () => {
  const f = DispatcherFixture.use();

  beforeAll(async () => {
    await f.db.dataSource.query(`INSERT INTO tenants (id, name) VALUES ('acme', 'Acme')`);
  });

  /**
   * A webhook (one attempt per delivery) of `tenant`, or the platform's own (null). The
   * tenant is set before any delivery exists (as the API fixes it at creation), seeded by
   * SQL: the API does not take tenant_id on this branch.
   */
  async function hook(url: string, tenant: string | null): Promise<string> {
    const webhook = await f.hook({ url, maxDeliveryAttempts: 1 });
    await f.db.dataSource.query('UPDATE webhooks SET tenant_id = $1 WHERE id = $2', [
      tenant,
      webhook.id,
    ]);
    return webhook.id;
  }

  /** A delivery to `webhookId`, carrying its webhook's tenant as every delivery does (§11). */
  async function deliver(webhookId: string): Promise<string> {
    const { id } = await f.deliver(webhookId);
    await f.db.dataSource.query(
      `UPDATE deliveries d SET tenant_id = w.tenant_id FROM webhooks w
       WHERE w.id = d.webhook_id AND d.id = $1`,
      [id],
    );
    return id;
  }

  /** The one attempt of delivery `id`, once it is recorded. */
  function attemptOf(id: string): Promise<AttemptRow> {
    return eventually(async () => (await f.attemptsOf(id))[0], 60_000, `an attempt of ${id}`);
  }

  /** Who the receiver saw, by their `webhook-id` (the delivery's id). */
  function received(): string[] {
    return f.receiver.requests.map((r) => r.headers['webhook-id'] as string);
  }

  it("refuses a tenant's webhook to private addresses with POSTMAND_BLOCK_PRIVATE_NETWORKS off", async () => {
    // The platform's webhook first, by name: its connection to the receiver stays open,
    // idle, in the worker (the receiver keeps connections a minute and says so). A tenant's
    // request to the same origin by name is checked only when a connection is opened, so
    // one riding that connection would reach the receiver unchecked: it must not.
    f.receiver.keepAlive(60_000);
    await f.start();
    const port = new URL(f.receiver.url).port;
    const platform = await deliver(await hook(`http://localhost:${port}/hook`, null));
    await f.settled(platform);
    expect((await f.attemptsOf(platform))[0]).toMatchObject({ success: true, error: '' });
    expect(f.receiver.connectionsAccepted).toBe(1);
    expect(await f.receiver.openConnections()).toBe(1);

    const refused = [
      [`${f.receiver.url}/hook`, /^EBLOCKED: refused: 127\.0\.0\.1, a loopback address/],
      [
        `http://localhost:${port}/hook`,
        // A tenant is not told the internal address a name resolves to.
        /^EBLOCKED: refused: localhost resolves to a loopback address/,
      ],
      [
        `http://[::ffff:127.0.0.1]:${port}/hook`,
        /^EBLOCKED: refused: \[?::ffff:7f00:1\]?, a loopback/,
      ],
      [`http://[::1]:${port}/hook`, /^EBLOCKED: refused: \[?::1\]?, a loopback address/],
      ['http://169.254.169.254/latest/meta-data/', /link-local \(cloud metadata\) address/],
      ['http://10.0.0.1/hook', /^EBLOCKED: refused: 10\.0\.0\.1, a private address/],
    ] as const;
    for (const [url, error] of refused) {
      const attempt = await attemptOf(await deliver(await hook(url, 'acme')));
      expect(attempt).toMatchObject({ success: false, response_status_code: 0 });
      expect(attempt.error).toMatch(error);
      expect(attempt.error).toMatch(TENANT_REFUSAL);
    }
    expect(received()).toEqual([platform]);
    // The platform's connection was open throughout, and no other was ever made.
    expect(f.receiver.connectionsAccepted).toBe(1);
    expect(await f.receiver.openConnections()).toBe(1);
    const [row] = await f.db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM deliveries WHERE tenant_id = 'acme' AND status = 'failed'`,
    );
    expect(row.n).toBe(refused.length);
  });

  it("lets a tenant's webhook reach POSTMAND_ALLOWED_NETWORKS, and nothing else", async () => {
    f.receiver.respond = (req, res) => {
      // A redirect inward is never followed (nor is any other).
      if (req.url === '/redirect') {
        res.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data/' }).end();
      } else res.writeHead(200).end('ok');
    };
    await f.start({ POSTMAND_ALLOWED_NETWORKS: '127.0.0.0/8' });
    const port = new URL(f.receiver.url).port;

    const allowed = await deliver(await hook(`${f.receiver.url}/hook`, 'acme'));
    await f.settled(allowed);
    expect((await f.attemptsOf(allowed))[0]).toMatchObject({ success: true, error: '' });

    const redirected = await deliver(await hook(`${f.receiver.url}/redirect`, 'acme'));
    expect(await attemptOf(redirected)).toMatchObject({ response_status_code: 302, error: '' });

    const outside = await attemptOf(await deliver(await hook(`http://[::1]:${port}/`, 'acme')));
    expect(outside.error).toMatch(/^EBLOCKED: refused: \[?::1\]?, a loopback address/);
    expect(outside.error).toMatch(TENANT_REFUSAL);
    expect(received()).toEqual([allowed, redirected]);
  });

  it("with POSTMAND_BLOCK_PRIVATE_NETWORKS on, lets the platform's webhooks reach the allowed ranges too", async () => {
    await f.start({
      POSTMAND_BLOCK_PRIVATE_NETWORKS: 'true',
      POSTMAND_ALLOWED_NETWORKS: '10.0.0.0/8,127.0.0.0/8',
    });
    const port = new URL(f.receiver.url).port;
    const platform = await deliver(await hook(`${f.receiver.url}/hook`, null));
    const tenant = await deliver(await hook(`${f.receiver.url}/hook`, 'acme'));
    await f.settled(platform);
    await f.settled(tenant);

    const outside = await attemptOf(await deliver(await hook(`http://[::1]:${port}/`, null)));
    expect(outside.error).toMatch(/^EBLOCKED: refused: \[?::1\]?, a loopback address/);
    expect(outside.error).toMatch(PLATFORM_REFUSAL);
    expect(received().sort()).toEqual([platform, tenant].sort());
  });
});
