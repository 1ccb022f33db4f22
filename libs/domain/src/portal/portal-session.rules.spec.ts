import { createHash } from 'node:crypto';
import {
  generatePortalToken,
  hashPortalToken,
  isPortalToken,
  isWellFormedPortalToken,
  sessionAllows,
} from './portal-session.rules';

describe('portal session rules', () => {
  it('makes pmp_ + base64url (no padding) of 32 random bytes, a new one each time', () => {
    const token = generatePortalToken();
    expect(token).toMatch(/^pmp_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32);
    expect(generatePortalToken()).not.toBe(token);
    expect(isWellFormedPortalToken(token)).toBe(true);
  });

  it('tells a portal token by its prefix, and a well-formed one by its whole shape', () => {
    expect(isPortalToken('pmp_x')).toBe(true);
    expect(isPortalToken('pmk_x')).toBe(false);
    for (const bad of [
      'pmp_',
      `pmp_${'a'.repeat(42)}`,
      `pmp_${'a'.repeat(44)}`,
      `pmp_${'+'.repeat(43)}`,
    ]) {
      expect([bad, isWellFormedPortalToken(bad)]).toEqual([bad, false]);
    }
  });

  it('stores the SHA-256 of the token’s characters', () => {
    const token = generatePortalToken();
    expect(hashPortalToken(token)).toEqual(createHash('sha256').update(token).digest());
  });

  it('lets a read-only session only read', () => {
    for (const method of ['GET', 'HEAD']) expect(sessionAllows(true, method)).toBe(true);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      expect([method, sessionAllows(true, method)]).toEqual([method, false]);
      expect(sessionAllows(false, method)).toBe(true);
    }
  });
});
