import { createHash, randomBytes } from 'node:crypto';

/** What a key may do (§9): `read` is GET and HEAD only; `write` is everything. */
export const API_KEY_SCOPES = ['read', 'write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** The key's visible prefix: a scanner (or a person) knows a leaked one for what it is. */
export const API_KEY_PREFIX = 'pmk_';
/** `pmk_` and 32 random bytes in base64url (43 characters, no padding). */
const WELL_FORMED = /^pmk_[A-Za-z0-9_-]{43}$/;

/** A key name: what `api-key list` and `revoke` go by; never secret. */
export const API_KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/** A new key: `pmk_` + base64url of 32 random bytes. Shown once; only its hash is kept. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function isWellFormedApiKey(key: string): boolean {
  return WELL_FORMED.test(key);
}

/** What is stored and compared: the SHA-256 of the key's characters. */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Whether a key of `scope` may make a request with `method` (dry runs are writes too). */
export function scopeAllows(scope: ApiKeyScope, method: string): boolean {
  return scope === 'write' || method === 'GET' || method === 'HEAD';
}
