import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import { IdempotencyKeyInProgressError, IdempotencyKeyReusedError } from '../common/domain-errors';
import { UnitOfWork } from '../common/unit-of-work';

/** A create's response as sent: replayed byte for byte. */
export interface StoredResponse {
  status: number;
  body: string;
}

export interface IdempotentRequest {
  /** '' , or the API key's id when access control is on: keys are per scope. */
  scope: string;
  key: string;
  /** What makes two requests "the same": a digest of method, path and body bytes. */
  fingerprint: Buffer;
}

/** SHA-256 of method, path and body, each length-prefixed so no two splits collide. */
export function requestFingerprint(method: string, path: string, body: Buffer): Buffer {
  const hash = createHash('sha256');
  for (const part of [Buffer.from(method), Buffer.from(path), body]) {
    const length = Buffer.alloc(8);
    length.writeBigUInt64BE(BigInt(part.length));
    hash.update(length).update(part);
  }
  return hash.digest();
}

/**
 * Idempotency keys (§6). The first request with a key runs its work in a transaction
 * that also stores the response with the key, so a crash leaves both or neither. While it
 * runs it holds a transaction-scoped advisory lock on the key: a second request, from any
 * API process, fails to take it and gets 409 at once instead of waiting. Once committed,
 * the same key with the same fingerprint replays the stored response; with another, 422.
 * A failed request stores nothing (its transaction rolls back), so it may be retried.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(POSTMAND_CONFIG) private readonly config: PostmandConfig,
  ) {}

  async run(
    request: IdempotentRequest,
    work: (uow: UnitOfWork) => Promise<StoredResponse>,
  ): Promise<StoredResponse & { replayed: boolean }> {
    let uow: UnitOfWork | undefined;
    const result = await this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query<{ locked: boolean }[]>(
        'SELECT pg_try_advisory_xact_lock($1) AS locked',
        [idempotencyLockKey(request.scope, request.key)],
      );
      if (!locked) throw new IdempotencyKeyInProgressError();
      const [stored] = await manager.query<{ fingerprint: Buffer; status: number; body: string }[]>(
        `SELECT fingerprint, status, body FROM idempotency_keys
         WHERE scope = $1 AND key = $2 AND expires_at > now()`,
        [request.scope, request.key],
      );
      if (stored) {
        if (!stored.fingerprint.equals(request.fingerprint)) throw new IdempotencyKeyReusedError();
        return { status: stored.status, body: stored.body, replayed: true };
      }
      uow = new UnitOfWork(manager);
      const response = await work(uow);
      // An expired row of the same key (not purged yet) is taken over.
      await manager.query(
        `INSERT INTO idempotency_keys (scope, key, fingerprint, status, body, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
         ON CONFLICT (scope, key) DO UPDATE SET
           fingerprint = EXCLUDED.fingerprint, status = EXCLUDED.status, body = EXCLUDED.body,
           created_at = now(), expires_at = EXCLUDED.expires_at`,
        [
          request.scope,
          request.key,
          request.fingerprint,
          response.status,
          response.body,
          this.config.idempotencyTtl,
        ],
      );
      return { ...response, replayed: false };
    });
    if (!result.replayed) uow?.committed();
    return result;
  }

  /** Deletes expired keys, at most `batch` rows a statement; returns how many went. */
  async purgeExpired(batch = 10_000): Promise<number> {
    let total = 0;
    for (;;) {
      const [, count] = await this.dataSource.query<[unknown, number]>(
        `DELETE FROM idempotency_keys WHERE (scope, key) IN (
           SELECT scope, key FROM idempotency_keys WHERE expires_at <= now()
           LIMIT $1 FOR UPDATE SKIP LOCKED)`,
        [batch],
      );
      total += count;
      if (count < batch) return total;
    }
  }
}

/** The advisory lock of a key (a bigint, as text): 64 bits of SHA-256 over scope and key. */
export function idempotencyLockKey(scope: string, key: string): string {
  const digest = createHash('sha256').update(scope).update('\0').update(key).digest();
  return digest.readBigInt64BE(0).toString();
}
