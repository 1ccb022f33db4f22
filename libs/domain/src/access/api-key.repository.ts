import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ApiKeyScope } from './api-key.rules';

/** An API key as `postmand api-key list` shows it: never the key, nor its hash. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  scope: ApiKeyScope;
  createdAt: Date;
  /** Updated at most once a minute per key, so up to a minute behind. */
  lastUsedAt: Date | null;
}

/** A stored key as the API tells requests by it: its hash and who it is. */
export interface StoredApiKey {
  id: string;
  name: string;
  scope: ApiKeyScope;
  /** SHA-256 of the key (hashApiKey). */
  hash: Buffer;
}

const COLUMNS = 'id, name, scope, created_at, last_used_at';

interface Row {
  id: string;
  name: string;
  scope: ApiKeyScope;
  created_at: Date;
  last_used_at: Date | null;
}

function toInfo(row: Row): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

/** The unique constraint of api_keys a failed insert violated, if that is why it failed. */
function uniqueViolation(err: unknown): string | undefined {
  const e = err as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  const code = e.driverError?.code ?? e.code;
  return code === '23505' ? (e.driverError?.constraint ?? e.constraint ?? '') : undefined;
}

/** The table `api_keys` (§9): keys by name, each stored as its SHA-256 only. */
@Injectable()
export class ApiKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores a key's hash under `name`; when the name or the hash is already stored (their
   * unique constraints), nothing is written and `taken` says which.
   */
  async insert(
    name: string,
    scope: ApiKeyScope,
    hash: Buffer,
  ): Promise<{ stored: ApiKeyInfo } | { taken: 'name' | 'key' }> {
    try {
      const [row] = await this.dataSource.query<Row[]>(
        `INSERT INTO api_keys (name, scope, key_hash) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
        [name, scope, hash],
      );
      return { stored: toInfo(row) };
    } catch (err) {
      const constraint = uniqueViolation(err);
      if (constraint === undefined) throw err;
      return { taken: constraint.includes('key_hash') ? 'key' : 'name' };
    }
  }

  /** The key stored under `name` with this very hash and scope, if there is one. */
  async findExact(name: string, scope: ApiKeyScope, hash: Buffer): Promise<ApiKeyInfo | undefined> {
    const [row] = await this.dataSource.query<Row[]>(
      `SELECT ${COLUMNS} FROM api_keys WHERE name = $1 AND key_hash = $2 AND scope = $3`,
      [name, hash, scope],
    );
    return row ? toInfo(row) : undefined;
  }

  /** Every key, by name. */
  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.dataSource.query<Row[]>(
      `SELECT ${COLUMNS} FROM api_keys ORDER BY name`,
    );
    return rows.map(toInfo);
  }

  /** Deletes the key named `name`; returns it, or undefined when there was none. */
  async deleteByName(name: string): Promise<ApiKeyInfo | undefined> {
    const [rows] = await this.dataSource.query<[Row[], number]>(
      `DELETE FROM api_keys WHERE name = $1 RETURNING ${COLUMNS}`,
      [name],
    );
    return rows.length > 0 ? toInfo(rows[0]) : undefined;
  }

  /** Every key with its hash: what the API's authenticator holds in memory. */
  async loadAll(): Promise<StoredApiKey[]> {
    const rows = await this.dataSource.query<
      { id: string; name: string; scope: ApiKeyScope; key_hash: Buffer }[]
    >('SELECT id, name, scope, key_hash FROM api_keys');
    return rows.map((r) => ({ id: r.id, name: r.name, scope: r.scope, hash: r.key_hash }));
  }

  /**
   * Sets the key's `last_used_at` to now, unless it was set less than a minute ago (by any
   * process): at most one write a minute per key across processes.
   */
  async touch(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE api_keys SET last_used_at = now()
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= now() - interval '1 minute')`,
      [id],
    );
  }
}
