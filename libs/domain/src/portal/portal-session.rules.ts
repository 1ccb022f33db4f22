import { createHash, randomBytes } from 'node:crypto';

// The rules of portal sessions (SPEC §12), pure: the token's shape, what is stored of it,
// and the limits of a session's lifetime.

/** The token's visible prefix: a scanner (or a person) knows a leaked one for what it is. */
export const PORTAL_TOKEN_PREFIX = 'pmp_';
/** `pmp_` and 32 random bytes in base64url (43 characters, no padding). */
const WELL_FORMED = /^pmp_[A-Za-z0-9_-]{43}$/;

/**
 * A session's lifetime in seconds (`expires_in`); most live sessions a tenant's list shows
 * (its newest).
 */
export const PORTAL_SESSION_LIMITS = {
  expiresIn: { min: 60, max: 86_400, default: 3600 },
  listed: 1000,
} as const;

/** A new token: `pmp_` + base64url of 32 random bytes. Shown once; only its hash is kept. */
export function generatePortalToken(): string {
  return `${PORTAL_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Whether a bearer credential is meant as a portal session (whatever else it is). */
export function isPortalToken(credential: string): boolean {
  return credential.startsWith(PORTAL_TOKEN_PREFIX);
}

export function isWellFormedPortalToken(token: string): boolean {
  return WELL_FORMED.test(token);
}

/** What is stored and looked up: the SHA-256 of the token's characters. */
export function hashPortalToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Whether a session's request with `method` may run: a read-only one reads only. */
export function sessionAllows(readOnly: boolean, method: string): boolean {
  return !readOnly || method === 'GET' || method === 'HEAD';
}
