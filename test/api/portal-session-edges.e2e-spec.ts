import { connect } from 'node:net';
import { withoutTokens } from '../../apps/api/src/http/request-log';
import { ApiFixture } from '../helpers/api-fixture';
import { seedTenant, type SeededTenant } from '../helpers/tenant-seed';

/** A raw HTTP/1.1 exchange: the request line exactly as given (absolute form included). */
function raw(baseUrl: string, line: string, headers: string[]): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        [line, `Host: ${hostname}:${port}`, 'Connection: close', ...headers, '', ''].join('\r\n'),
      );
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

/** What review found at the edges of portal sessions (§12), with POSTMAND_AUTH=none. */
describe('portal sessions: edges', () => {
  const f = ApiFixture.use({}, { listen: true });
  const http = () => f.http();
  const post = async (path: string, body: object) =>
    (await http().post(path).send(body).expect(201)).body as Record<string, any>;

  let a: SeededTenant;
  let b: SeededTenant;
  let token: string;
  beforeEach(async () => {
    a = await seedTenant(f.db.dataSource, post, 'tenant-a');
    b = await seedTenant(f.db.dataSource, post, 'tenant-b');
    token = (await post('/v1/tenants/tenant-a/portal-sessions', {})).token as string;
  });

  it('the delivery-loop check does not tell a session whether another tenant’s delivery exists', async () => {
    const redeliver = (webhookId: string) =>
      http()
        .post('/v1/deliveries/redeliver')
        .set({ authorization: `Bearer ${token}`, 'webhook-id': webhookId })
        .send({ status: 'failed', dry_run: true });
    // B's delivery id answers as an unknown id does: the dry run's count.
    for (const id of [b.deliveryId, b.eventDeliveryId, '6f1d3a52-9a43-4b8e-9a3c-2f1f5d0c7e11']) {
      const res = await redeliver(id);
      expect([id, res.status, res.body]).toEqual([id, 200, { count: 0 }]);
    }
    // Its own delivery's id is still a loop.
    const own = await redeliver(a.deliveryId);
    expect(own.status).toBe(400);
    expect(own.body.details).toContain('delivery loop');
  });

  it('a request line in absolute form is authenticated as any other', async () => {
    const target = `${f.baseUrl}/v1/webhooks`;
    const unknown = await raw(f.baseUrl, `GET ${target} HTTP/1.1`, [
      `Authorization: Bearer pmp_${'x'.repeat(43)}`,
    ]);
    expect(unknown).toMatch(/^HTTP\/1\.1 401 /);
    expect(unknown).toContain('"code":14');
    const own = await raw(f.baseUrl, `GET ${target} HTTP/1.1`, [`Authorization: Bearer ${token}`]);
    expect(own).toMatch(/^HTTP\/1\.1 200 /);
    expect(own).toContain(a.webhookId);
    expect(own).not.toContain(b.webhookId);
  });

  it('a tenant deleted and made again does not replay the old one’s Idempotency-Keys', async () => {
    const create = (session: string) =>
      http()
        .post('/v1/webhooks')
        .set({ authorization: `Bearer ${session}`, 'idempotency-key': 'k1' })
        .send({
          name: 'keyed hook',
          url: 'https://example.com/hook',
          content_type: 'application/json',
          valid_status_codes: [200],
        });
    const first = await create(token);
    expect(first.status).toBe(201);
    await http().delete('/v1/tenants/tenant-a').expect(204);
    await http().put('/v1/tenants/tenant-a').send({}).expect(201);
    const next = (await post('/v1/tenants/tenant-a/portal-sessions', {})).token as string;
    const again = await create(next);
    expect([again.status, again.headers['idempotent-replayed']]).toEqual([201, undefined]);
    expect(again.body.id).not.toBe(first.body.id);
  });

  it('a token put in a URL is logged by its prefix only', () => {
    expect(withoutTokens(`/v1/webhooks?access_token=${token}&key=pmk_AbC-9_z`)).toBe(
      '/v1/webhooks?access_token=pmp_***&key=pmk_***',
    );
    expect(withoutTokens('/v1/webhooks?limit=5')).toBe('/v1/webhooks?limit=5');
  });
});
