import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '../common/unit-of-work';

/** A create's response as sent: replayed byte for byte. */
export interface StoredResponse {
  status: number;
  body: string;
}

/** A key that is stored and has not expired: what its first request answered. */
export interface StoredIdempotencyKey extends StoredResponse {
  fingerprint: Buffer;
}

/** The advisory lock of a key (a bigint, as text): 64 bits of SHA-256 over scope and key. */
export function idempotencyLockKey(scope: string, key: string): string {
  const digest = createHash('sha256').update(scope).update('\0').update(key).digest();
  return digest.readBigInt64BE(0).toString();
}

/** The table `idempotency_keys` (§6) and the advisory lock a key's request holds. */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` in a transaction of its own, handed to it as a UnitOfWork; commits when
   * `work` resolves, rolls back when it throws. The caller runs the unit's after-commit
   * hooks (`committed()`).
   */
  transaction<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(new UnitOfWork(manager)));
  }

  /**
   * Takes the key's transaction-scoped advisory lock (idempotencyLockKey) in `uow`, without
   * waiting: false when another transaction, of any process, holds it.
   */
  async tryLock(uow: UnitOfWork, scope: string, key: string): Promise<boolean> {
    const [{ locked }] = await uow.sql.query<{ locked: boolean }[]>(
      'SELECT pg_try_advisory_xact_lock($1) AS locked',
      [idempotencyLockKey(scope, key)],
    );
    return locked;
  }

  /** The key's stored response, unless there is none or it has expired. */
  async findLive(
    uow: UnitOfWork,
    scope: string,
    key: string,
  ): Promise<StoredIdempotencyKey | undefined> {
    const [stored] = await uow.sql.query<StoredIdempotencyKey[]>(
      `SELECT fingerprint, status, body FROM idempotency_keys
       WHERE scope = $1 AND key = $2 AND expires_at > now()`,
      [scope, key],
    );
    return stored;
  }

  /**
   * Stores the key with its request's fingerprint and response for `ttlSeconds`, in `uow`
   * (with the work it answers). An expired row of the same key (not purged yet) is taken
   * over.
   */
  async store(
    uow: UnitOfWork,
    request: { scope: string; key: string; fingerprint: Buffer },
    response: StoredResponse,
    ttlSeconds: number,
  ): Promise<void> {
    await uow.sql.query(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, status, body, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
       ON CONFLICT (scope, key) DO UPDATE SET
         fingerprint = EXCLUDED.fingerprint, status = EXCLUDED.status, body = EXCLUDED.body,
         created_at = now(), expires_at = EXCLUDED.expires_at`,
      [request.scope, request.key, request.fingerprint, response.status, response.body, ttlSeconds],
    );
  }

  /**
   * Deletes at most `batch` expired keys, none that another transaction holds (SKIP
   * LOCKED), in one statement; returns how many went.
   */
  async deleteExpired(batch: number): Promise<number> {
    const [, count] = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM idempotency_keys WHERE (scope, key) IN (
         SELECT scope, key FROM idempotency_keys WHERE expires_at <= now()
         LIMIT $1 FOR UPDATE SKIP LOCKED)`,
      [batch],
    );
    return count;
  }

  /** How many keys have expired (and are not purged yet). */
  async countExpired(): Promise<number> {
    const [{ n }] = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM idempotency_keys WHERE expires_at <= now()`,
    );
    return n;
  }
}
