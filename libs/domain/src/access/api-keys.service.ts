import { Injectable } from '@nestjs/common';
import { ApiKeyRepository, type ApiKeyInfo } from './api-key.repository';
import {
  API_KEY_NAME,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
  type ApiKeyScope,
} from './api-key.rules';

/** A refusal of `api-key create` or `revoke`, with the message the CLI prints. */
export class ApiKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiKeyError';
  }
}

/** Creates, lists and revokes API keys (§9); the CLI's `api-key` commands. */
@Injectable()
export class ApiKeysService {
  constructor(private readonly keys: ApiKeyRepository) {}

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
    const inserted = await this.keys.insert(name, scope, hash);
    if ('stored' in inserted) return { key: value, info: inserted.stored, created: true };
    const same = key !== undefined ? await this.keys.findExact(name, scope, hash) : undefined;
    if (same) return { key: value, info: same, created: false };
    throw new ApiKeyError(
      inserted.taken === 'key'
        ? 'this key is already stored under another name'
        : `an API key named "${name}" already exists (revoke it first, or pick another name)`,
    );
  }

  /** Every key, by name. */
  list(): Promise<ApiKeyInfo[]> {
    return this.keys.list();
  }

  /** Deletes the key named `name`; every API process refuses it within seconds. */
  async revoke(name: string): Promise<ApiKeyInfo> {
    const info = await this.keys.deleteByName(name);
    if (!info) throw new ApiKeyError(`no API key is named "${name}"`);
    return info;
  }
}
