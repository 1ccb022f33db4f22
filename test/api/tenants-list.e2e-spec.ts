import { ApiFixture, RECEIVER_HOOK } from '../helpers/api-fixture';

describe('GET /v1/tenants', () => {
  const f = ApiFixture.use();
  const http = () => f.http();

  const put = async (id: string, body: object = {}, status = 201) =>
    (await http().put(`/v1/tenants/${id}`).send(body).expect(status)).body as Record<string, any>;

  // Byte order: "-" and "." before digits, digits before upper case, "_" between upper
  // and lower case.
  const IDS = ['b', 'a_3', 'A', '0', 'a.2', 'a-1', 'Z', 'ab'];
  const SORTED = ['0', 'A', 'Z', 'a-1', 'a.2', 'a_3', 'ab', 'b'];
  const byBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

  const list = async (query: Record<string, string | number>) =>
    (await http().get('/v1/tenants').query(query).expect(200)).body as {
      tenants: { id: string; created_at: string }[];
      limit: number;
      offset: number;
      next_cursor: string | null;
    };

  beforeEach(async () => {
    for (const id of IDS) await put(id);
    // A second apart, in the order of IDS, so that the filters' bounds are exact.
    await f.db.dataSource.query(
      `UPDATE tenants SET created_at = '2026-01-01T00:00:00Z'::timestamptz
         + make_interval(secs => array_position($1::text[], id::text COLLATE "C"))`,
      [IDS],
    );
  });

  it('lists by id, byte by byte, with limit and offset', async () => {
    const all = await list({});
    expect(all).toMatchObject({ limit: 50, offset: 0, next_cursor: null });
    expect(all.tenants.map((t) => t.id)).toEqual(SORTED);
    const page = await list({ limit: 3, offset: 2 });
    expect(page).toMatchObject({ limit: 3, offset: 2, next_cursor: expect.any(String) });
    expect(page.tenants.map((t) => t.id)).toEqual(SORTED.slice(2, 5));
    expect((await list({ offset: 6 })).next_cursor).toBeNull();
  });

  it('ends a page of large metadata within its byte budget, with a cursor to the rest', async () => {
    // 32 values of 512 control characters: about 100 KB of JSON each (each written as
    // \u0001), so twelve such tenants are more than the 1 MiB a page may hold.
    const metadata = Object.fromEntries(
      Array.from({ length: 32 }, (_, i) => [`k${i}`, '\u0001'.repeat(512)]),
    );
    const big = Array.from({ length: 12 }, (_, i) => `big-${String(i).padStart(2, '0')}`);
    for (const id of big) await put(id, { metadata });
    const seen: string[] = [];
    const sizes: number[] = [];
    let after: string | undefined;
    do {
      const res = await http()
        .get('/v1/tenants')
        .query(after ? { limit: 1000, after } : { limit: 1000 })
        .expect(200);
      sizes.push(res.text.length);
      const page = res.body as { tenants: { id: string }[]; next_cursor: string | null };
      seen.push(...page.tenants.map((t) => t.id));
      after = page.next_cursor ?? undefined;
    } while (after);
    expect(seen).toEqual([...SORTED.slice(0, 3), ...big, ...SORTED.slice(3)].sort(byBytes));
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThan(1024 * 1024 + 150_000);
  });

  it('pages through every tenant by next_cursor, each once, in order', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await list(after ? { limit: 3, after } : { limit: 3 });
      expect(page.offset).toBe(0);
      seen.push(...page.tenants.map((t) => t.id));
      after = page.next_cursor ?? undefined;
      pages++;
    } while (after);
    expect(seen).toEqual(SORTED);
    expect(pages).toBe(3);
  });

  it('filters by created_at bounds, keeping the order by id', async () => {
    // IDS[2] ('A') was created at 00:00:03, IDS[5] ('a-1') at 00:00:06.
    const ids = async (query: Record<string, string>) =>
      (await list(query)).tenants.map((t) => t.id);
    expect(await ids({ 'created_at.gt': '2026-01-01T00:00:03Z' })).toEqual([
      '0',
      'Z',
      'a-1',
      'a.2',
      'ab',
    ]);
    expect(await ids({ 'created_at.gte': '2026-01-01T00:00:03Z' })).toEqual([
      '0',
      'A',
      'Z',
      'a-1',
      'a.2',
      'ab',
    ]);
    expect(await ids({ 'created_at.lt': '2026-01-01T00:00:03Z' })).toEqual(['a_3', 'b']);
    expect(
      await ids({
        'created_at.gte': '2026-01-01T00:00:03Z',
        'created_at.lte': '2026-01-01T00:00:06Z',
      }),
    ).toEqual(['0', 'A', 'a-1', 'a.2']);
    // A filtered list pages by cursor too.
    const first = await list({ limit: 2, 'created_at.gt': '2026-01-01T00:00:03Z' });
    const second = await list({
      limit: 2,
      'created_at.gt': '2026-01-01T00:00:03Z',
      after: first.next_cursor!,
    });
    expect([...first.tenants, ...second.tenants].map((t) => t.id)).toEqual([
      '0',
      'Z',
      'a-1',
      'a.2',
    ]);
  });

  it('refuses a bad cursor, one of another list, a cursor with offset, and bad bounds', async () => {
    const webhooks = await f.createWebhook();
    await f.createWebhook({ ...RECEIVER_HOOK, name: 'second' });
    const webhookCursor = (await http().get('/v1/webhooks?limit=1').expect(200)).body
      .next_cursor as string;
    expect(webhooks.id).toBeDefined();
    const own = (await list({ limit: 1 })).next_cursor!;
    const forged = Buffer.from(JSON.stringify(['tenants', 'bad id'])).toString('base64url');
    const NOT_OURS =
      'after: is not a cursor of this list (use the next_cursor of one of its pages).';
    for (const [query, details] of [
      [{ after: 'nope!' }, NOT_OURS],
      [{ after: webhookCursor }, NOT_OURS],
      [{ after: forged }, NOT_OURS],
      [
        { after: own, offset: 1 },
        'after: cannot be combined with offset: a cursor page starts at its cursor.',
      ],
      [
        { 'created_at.gt': 'yesterday' },
        'created_at.gt: must be an RFC 3339 date-time such as 2021-03-08T20:41:25.433Z.',
      ],
      [{ limit: 0 }, 'limit: must be an integer from 1 to 1000.'],
      [{ name: 'a' }, 'name: is not a field of this request.'],
    ] as const) {
      const res = await http().get('/v1/tenants').query(query).expect(400);
      expect(res.body).toEqual({ code: 4, message: 'request validation failed', details });
    }
  });
});
