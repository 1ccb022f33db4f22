import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import { IdempotencyKeyInProgressError, IdempotencyKeyReusedError } from '../common/domain-errors';
import type { UnitOfWork } from '../common/unit-of-work';
import { IdempotencyRepository, type StoredResponse } from './idempotency.repository';

export interface IdempotentRequest {
  /**
   * '', the API key's id when access control is on, or `tenant:<id>` for a portal
   * session's request: keys are per scope.
   */
  scope: string;
  key: string;
  /** What makes two requests "the same": a digest of method, path and body bytes. */
  fingerprint: Buffer;
}

/**
 * The idempotency scope of a tenant's portal sessions (§12): prefixed, so that it is
 * never an API key's (a bare UUID) or the shared one (''). Deleting the tenant deletes
 * its keys (TenantRepository.delete): a tenant made again under the same id must not
 * replay the old one's responses.
 */
export function tenantIdempotencyScope(tenantId: string): string {
  return `tenant:${tenantId}`;
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
    private readonly keys: IdempotencyRepository,
    @Inject(POSTMAND_CONFIG) private readonly config: PostmandConfig,
  ) {}

  async run(
    request: IdempotentRequest,
    work: (uow: UnitOfWork) => Promise<StoredResponse>,
  ): Promise<StoredResponse & { replayed: boolean }> {
    let uow: UnitOfWork | undefined;
    const result = await this.keys.transaction(async (tx) => {
      if (!(await this.keys.tryLock(tx, request.scope, request.key))) {
        throw new IdempotencyKeyInProgressError();
      }
      const stored = await this.keys.findLive(tx, request.scope, request.key);
      if (stored) {
        if (!stored.fingerprint.equals(request.fingerprint)) throw new IdempotencyKeyReusedError();
        return { status: stored.status, body: stored.body, replayed: true };
      }
      uow = tx;
      const response = await work(tx);
      await this.keys.store(tx, request, response, this.config.idempotencyTtl);
      return { ...response, replayed: false };
    });
    if (!result.replayed) uow?.committed();
    return result;
  }

  /** Deletes expired keys, at most `batch` rows a statement; returns how many went. */
  async purgeExpired(batch = 10_000): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.keys.deleteExpired(batch);
      total += count;
      if (count < batch) return total;
    }
  }
}
