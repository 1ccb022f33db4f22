import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  API_KEY_NAME,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
  type ApiKeyScope,
} from './api-key.rules';

/** An API key as `postmand api-key list` shows it: never the key, nor its hash. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  scope: ApiKeyScope;
  createdAt: Date;
  /** Updated at most once a minute per key, so up to a minute behind. */
  lastUsedAt: Date | null;
}

/** A refusal of `api-key create` or `revoke`, with the message the CLI prints. */
export class ApiKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiKeyError';
  }
}

/** The unique violation of api_keys' name or key_hash. */
function uniqueViolation(err: unknown): string | undefined {
  const e = err as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  const code = e.driverError?.code ?? e.code;
  return code === '23505' ? (e.driverError?.constraint ?? e.constraint ?? '') : undefined;
}

/** Creates, lists and revokes API keys (§9); the CLI's `api-key` commands. */
@Injectable()
export class ApiKeysService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores a key of `scope` under `name`: a new random one, or `key` as given (a key kept
   * in a deployment's secret store). Returns the key, which is never shown again. A name
   * already in use is refused, unless `key` is given and is the very key stored under it
   * with the same scope: then nothing changes and `created` is false, so that a bootstrap
   * job may run again.
   */
  async create(
    name: string,
    scope: ApiKeyScope,
    key?: string,
  ): Promise<{ key: string; info: ApiKeyInfo; created: boolean }> {
    if (!API_KEY_NAME.test(name)) {
      throw new ApiKeyError(
        'a key name is 1 to 255 letters, digits, ".", "_" or "-", starting with a letter or digit',
      );
    }
    if (key !== undefined && !isWellFormedApiKey(key)) {
      throw new ApiKeyError('a given key must be "pmk_" followed by 43 base64url characters');
    }
    const value = key ?? generateApiKey();
    const hash = hashApiKey(value);
    try {
      const [row] = await this.dataSource.query<Row[]>(
        `INSERT INTO api_keys (name, scope, key_hash) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
        [name, scope, hash],
      );
      return { key: value, info: toInfo(row), created: true };
    } catch (err) {
      const constraint = uniqueViolation(err);
      if (constraint === undefined) throw err;
      const [same] = await this.dataSource.query<Row[]>(
        `SELECT ${COLUMNS} FROM api_keys WHERE name = $1 AND key_hash = $2 AND scope = $3`,
        [name, hash, scope],
      );
      if (key !== undefined && same) return { key: value, info: toInfo(same), created: false };
      throw new ApiKeyError(
        constraint.includes('key_hash')
          ? 'this key is already stored under another name'
          : `an API key named "${name}" already exists (revoke it first, or pick another name)`,
      );
    }
  }

  /** Every key, by name. */
  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.dataSource.query<Row[]>(
      `SELECT ${COLUMNS} FROM api_keys ORDER BY name`,
    );
    return rows.map(toInfo);
  }

  /** Deletes the key named `name`; every API process refuses it within seconds. */
  async revoke(name: string): Promise<ApiKeyInfo> {
    const [rows] = await this.dataSource.query<[Row[], number]>(
      `DELETE FROM api_keys WHERE name = $1 RETURNING ${COLUMNS}`,
      [name],
    );
    if (rows.length === 0) throw new ApiKeyError(`no API key is named "${name}"`);
    return toInfo(rows[0]);
  }
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
