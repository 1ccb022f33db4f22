import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ApiKeyRepository } from './api-key.repository';
import { hashApiKey, isWellFormedApiKey, type ApiKeyScope } from './api-key.rules';

/** Who made a request: the API key it carried. */
export interface Principal {
  id: string;
  name: string;
  scope: ApiKeyScope;
}

interface Entry {
  principal: Principal;
  hash: Buffer;
}

/** Every API process rereads the keys this often, so a new or revoked key counts everywhere. */
export const API_KEY_REFRESH_MS = 2000;
/** A cache older than this is never trusted: the request waits for a fresh read. */
export const API_KEY_MAX_STALE_MS = 4000;
/** An unknown key rereads the table, at most this often (a new key works at once). */
const MISS_REFRESH_MS = 1000;
/** `last_used_at` is written at most this often per key. */
const TOUCH_MS = 60_000;

/**
 * Tells a request's bearer key from the keys in PostgreSQL (§9) without a query per
 * request: every key's SHA-256 is held in memory and reread every 2 s. An unknown key
 * waits for a reread that starts after it arrived (so a key works as soon as it is made;
 * at most one such read a second), and a cache that could not be reread for 4 s is not
 * used at all, so a revoked key stops working in every process within 4 s plus one read. The lookup goes by the
 * hash of what was presented (nothing to learn from its timing without a preimage), and
 * the hash found is compared in constant time.
 */
@Injectable()
export class ApiKeyAuthenticator {
  private byHash = new Map<string, Entry>();
  /** When the last good read started (its snapshot is at least that fresh). */
  private loadedAt = Number.NEGATIVE_INFINITY;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly touchedAt = new Map<string, number>();

  constructor(private readonly keys: ApiKeyRepository) {}

  /** Reads the keys, then keeps rereading them in the background. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), API_KEY_REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * The key's principal, or undefined for a key that is not (or no longer) stored. Throws
   * only when the keys cannot be read and the cache is too old to answer.
   */
  async authenticate(key: string): Promise<Principal | undefined> {
    if (!isWellFormedApiKey(key)) return undefined;
    const arrivedAt = Date.now();
    const hash = hashApiKey(key);
    if (Date.now() - this.loadedAt > API_KEY_MAX_STALE_MS) await this.refresh();
    let entry = this.find(hash);
    if (!entry) {
      // Perhaps made since the last read: wait for a read that started after this request.
      await this.readStartedAfter(arrivedAt);
      entry = this.find(hash);
    }
    if (!entry) return undefined;
    this.touch(entry.principal.id);
    return entry.principal;
  }

  private find(hash: Buffer): Entry | undefined {
    const entry = this.byHash.get(hash.toString('hex'));
    return entry && timingSafeEqual(entry.hash, hash) ? entry : undefined;
  }

  /**
   * Resolves once a read that started at or after `t` has finished; starts one when none
   * has, at most one a second (so an unknown key waits up to a second: a flood of bad
   * keys costs one query a second, and slows itself down).
   */
  private async readStartedAfter(t: number): Promise<void> {
    for (;;) {
      if (this.loading) {
        const started = this.lastAttemptAt;
        await this.loading;
        if (started >= t) return;
        continue;
      }
      if (this.loadedAt >= t) return;
      const wait = this.lastAttemptAt + MISS_REFRESH_MS - Date.now();
      if (wait <= 0) return this.refresh();
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** One read at a time; callers that arrive meanwhile share it. */
  private refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    const startedAt = Date.now();
    this.lastAttemptAt = startedAt;
    const rows = await this.keys.loadAll();
    const byHash = new Map<string, Entry>();
    for (const row of rows) {
      byHash.set(row.hash.toString('hex'), {
        principal: { id: row.id, name: row.name, scope: row.scope },
        hash: row.hash,
      });
    }
    this.byHash = byHash;
    this.loadedAt = startedAt;
    const live = new Set(rows.map((r) => r.id));
    for (const id of this.touchedAt.keys()) if (!live.has(id)) this.touchedAt.delete(id);
  }

  /**
   * `last_used_at`, at most once a minute per key and process; the condition keeps it to
   * once a minute across processes too. A lost update only leaves the time a minute behind.
   */
  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.touchedAt.get(id) ?? Number.NEGATIVE_INFINITY) < TOUCH_MS) return;
    this.touchedAt.set(id, now);
    void this.keys.touch(id).catch(() => undefined);
  }
}
