import { SchemaValidatorPool } from '@app/domain';
import { ApiFixture } from '../helpers/api-fixture';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { Client } from 'pg';
import request from 'supertest';
import type { App } from 'supertest/types';
import { until } from '../helpers/wait';

/** An example that a backtracking pattern takes exponential time on (safe-regex2 lets it by). */
const BACKTRACKS = { type: 'string', pattern: '^(a|a)*$' };
const BACKTRACKING_TEXT = JSON.stringify(`${'a'.repeat(40)}b`);

/**
 * §14's limits, whatever the schema: what PostgreSQL cannot store, examples larger than a
 * payload may be, schemas that make a validation unbounded, stored schemas that break
 * today's rules; and a pool of connections full of publishes in transactions.
 */
describe('event types: limits', () => {
  const f = ApiFixture.use({ POSTMAND_MAX_PAYLOAD_BYTES: '4096' }, { withHook: true });
  const http = () => f.http();
  /** PUT with a raw JSON body: JSON.stringify cannot write 1e999 or a lone surrogate's escape. */
  const putRaw = (name: string, body: string) =>
    http().put(`/v1/event-types/${name}`).set('Content-Type', 'application/json').send(body);
  const publish = (event_type: string, payload: string) =>
    http().post('/v1/events').send({ event_type, payload });
  const counts = async () =>
    (
      await f.db.dataSource.query<{ n: number }[]>(
        `SELECT (SELECT count(*) FROM events)::int + (SELECT count(*) FROM deliveries)::int AS n`,
      )
    )[0].n;
  const refusal = (field: string, problem: RegExp) => ({
    code: 4,
    message: 'request validation failed',
    details: expect.stringMatching(new RegExp(`^${field}: ${problem.source}`)),
  });

  it('refuses an example larger than a payload may be with 413 code 8, as a publish of it would be', async () => {
    const example = JSON.stringify({ text: 'x'.repeat(5000) });
    const res = await http().put('/v1/event-types/l.big').send({ example }).expect(413);
    expect(res.body).toMatchObject({ code: 8 });
    await http().get('/v1/event-types/l.big').expect(404);
  });

  it('refuses NUL and lone surrogates in the schema (keys and strings), the example and the description, and 1e999, naming the field', async () => {
    const cases: [string, string][] = [
      ['{"schema": {"properties": {"a\\u0000": {}}}}', 'schema'],
      ['{"schema": {"const": "\\u0000"}}', 'schema'],
      ['{"schema": {"enum": ["\\ud800"]}}', 'schema'],
      ['{"schema": {"maximum": 1e999}}', 'schema'],
      ['{"example": "{\\"a\\": \\"\\u0000\\"}"}', 'example'],
      ['{"example": "\\u0000"}', 'example'],
      ['{"description": "a\\udc00"}', 'description'],
    ];
    for (const [body, field] of cases) {
      const res = await putRaw('l.text', body).expect(400);
      expect(res.body).toEqual(refusal(field, /must not contain (NUL|a number)/));
    }
    await http().get('/v1/event-types/l.text').expect(404);
  });

  it('refuses a $ref that loops in place, and a schema too costly to check its own example', async () => {
    const loop = { $defs: { a: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' };
    expect((await putRaw('l.loop', JSON.stringify({ schema: loop })).expect(400)).body).toEqual(
      refusal('schema', /has a \$ref that leads back to itself/),
    );
    const res = await putRaw(
      'l.costly',
      JSON.stringify({ schema: BACKTRACKS, example: BACKTRACKING_TEXT }),
    ).expect(400);
    expect(res.body).toEqual(refusal('schema', /is too costly to check/));
  });

  it('refuses a payload that cannot be checked in time with 422 code 19, and goes on checking others', async () => {
    await putRaw('l.slow', JSON.stringify({ schema: BACKTRACKS })).expect(201);
    const res = await publish('l.slow', BACKTRACKING_TEXT).expect(422);
    expect(res.body).toEqual({
      code: 19,
      message: "payload does not match the event type's schema",
      details: ': could not be checked within the time limit',
    });
    await publish('l.slow', '"aaaa"').expect(201);
    expect((await publish('l.slow', '"b"').expect(422)).body.details).toMatch(/^: /);
  });

  it('answers 503 with Retry-After, not 422 or 400, when a check was not judged by CPU time', async () => {
    // Where the threads' CPU time cannot be read (no /proc), a validation past the deadline
    // may be a costly payload or a busy machine: the client is told to retry, not refused.
    const pool = f.api.app.get(SchemaValidatorPool);
    const readCpu = pool.readCpu;
    pool.readCpu = () => null;
    try {
      await putRaw('l.busy', JSON.stringify({ schema: BACKTRACKS })).expect(201);
      const before = await counts();
      const res = await publish('l.busy', BACKTRACKING_TEXT).expect(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body).toEqual({
        code: 1,
        message: 'service unavailable',
        details: expect.stringMatching(/could not be checked against its schema in time.*retry/),
      });
      expect(await counts()).toBe(before);
      const put = await putRaw(
        'l.busy',
        JSON.stringify({ schema: BACKTRACKS, example: BACKTRACKING_TEXT }),
      ).expect(503);
      expect(put.headers['retry-after']).toBe('1');
      expect(put.body.code).toBe(1);
      await publish('l.busy', '"aaaa"').expect(201);
    } finally {
      pool.readCpu = readCpu;
    }
  });

  it('writes 422 pointers by RFC 6901, each part at most 200 characters', async () => {
    const long = 'k'.repeat(500);
    await putRaw(
      'l.pointers',
      JSON.stringify({ schema: { additionalProperties: { type: 'integer' } } }),
    ).expect(201);
    const res = await publish('l.pointers', JSON.stringify({ 'a b/c': 's', [long]: 's' }));
    expect(res.status).toBe(422);
    const pairs = (res.body.details as string).split('; ');
    expect(pairs[0]).toMatch(/^\/a b~1c: /);
    expect(pairs[1]).toMatch(new RegExp(`^/${'k'.repeat(198)}…: `));
  });

  it('answers a publish of a type whose stored schema breaks the rules with a 500, not a 400 naming schema', async () => {
    await f.db.dataSource.query(
      `INSERT INTO event_types (name, schema) VALUES ('l.broken', '{"$ref": "https://x.example/s"}')`,
    );
    for (let i = 0; i < 2; i++) {
      const res = await publish('l.broken', '{}').expect(500);
      expect(res.body).toEqual({ code: 1, message: 'internal server error' });
    }
    expect(await counts()).toBe(0);
  });
});

/**
 * Publishes in transactions (an Idempotency-Key) hold a connection each while they look a
 * cold type up: with the pool full of them, each reads on its own connection rather than
 * waiting for another, which none would get.
 */
describe('event types: lookups in a full pool', () => {
  let db: TestDatabase;
  let api: TestApi;
  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 3 });
    api = await createTestApi(db);
  });
  afterAll(async () => {
    await api.app.close();
    await db.drop();
  });

  it('answers 3 keyed publishes and 1 unkeyed of a cold type with a pool of 3', async () => {
    const http = () => request(api.app.getHttpServer() as App);
    await http()
      .put('/v1/event-types/pool.cold')
      .send({ schema: { type: 'object' } })
      .expect(201);
    // The PUT forgot the name: the next lookup reads it (cold). The keyed publishes take
    // every connection of the pool (their transactions) and are held before their lookup
    // by a lock on idempotency_keys; the unkeyed one's read then waits for a connection.
    const pool = (db.dataSource.driver as unknown as { master: { waitingCount: number } }).master;
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE idempotency_keys IN ACCESS EXCLUSIVE MODE');
      const body = { event_type: 'pool.cold', payload: '{}' };
      const keyed = [1, 2, 3].map((n) =>
        http().post('/v1/events').set('Idempotency-Key', `k-${n}`).send(body).then(),
      );
      await until(
        async () =>
          // pg_stat_activity is read once per transaction unless its snapshot is cleared.
          (await holder.query('SELECT pg_stat_clear_snapshot()')) &&
          (
            await holder.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            )
          ).rows[0].n === 3,
        60_000,
        'the keyed publishes to hold every connection',
      );
      const unkeyed = http().post('/v1/events').send(body).then();
      await until(() => pool.waitingCount === 1, 60_000, 'the unkeyed read to wait');
      await holder.query('COMMIT');
      const answers = await Promise.all([...keyed, unkeyed]);
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    } finally {
      await holder.end();
    }
  });
});
