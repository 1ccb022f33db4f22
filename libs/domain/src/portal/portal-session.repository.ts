import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { andScope } from '../tenant/scope.sql';
import type { Scope } from '../tenant/scope';

/** A session as created: what the API answers (never stored: the token). */
export interface CreatedPortalSession {
  /** The session's id, as listed: revoking it alone takes this id. */
  id: string;
  tenantId: string;
  readOnly: boolean;
  expiresAt: Date;
}

/** A session found by its token's hash; `live` false once expired. */
export interface FoundPortalSession {
  tenantId: string;
  readOnly: boolean;
  expiresAt: Date;
  live: boolean;
}

/** A live session as listed: never its token's hash. */
export interface ListedPortalSession {
  id: string;
  readOnly: boolean;
  expiresAt: Date;
  createdAt: Date;
}

/** What revoking one session found: the tenant, and its live session of that id. */
export type RevokeOneOutcome = 'revoked' | 'no-tenant' | 'no-session';

/**
 * portal_sessions (§12): a tenant's sessions by the SHA-256 of their token. Every
 * authenticated request looks its session up by that hash (the table's unique index, one
 * probe), so a revocation (a delete) is seen by every API process at once, with no cache
 * to outlive it. Expired sessions are removed lazily: by the next create for the same
 * tenant, by a request that presents one, and by the tenant's revocation or delete.
 */
@Injectable()
export class PortalSessionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * A session of an existing tenant, expiring `expiresIn` seconds from now by the
   * database's clock; null when the tenant does not exist. The tenant's expired sessions
   * go in the same statement. The tenant's row is read under a key-share lock (the one
   * the foreign key takes anyway): one being deleted meanwhile is then not found.
   */
  async create(
    tenantId: string,
    tokenHash: Buffer,
    readOnly: boolean,
    expiresIn: number,
  ): Promise<CreatedPortalSession | null> {
    const rows = await this.dataSource.query<
      { id: string; tenant_id: string; read_only: boolean; expires_at: Date }[]
    >(
      `WITH expired AS (
         DELETE FROM portal_sessions WHERE tenant_id = $2 AND expires_at <= now()
       )
       INSERT INTO portal_sessions (id, tenant_id, token_hash, read_only, expires_at)
       SELECT $1, t.id, $3, $4, now() + make_interval(secs => $5::int)
       FROM tenants t WHERE t.id = $2
       FOR KEY SHARE OF t
       RETURNING id, tenant_id, read_only, expires_at`,
      [randomUUID(), tenantId, tokenHash, readOnly, expiresIn],
    );
    const row = rows[0];
    return row
      ? { id: row.id, tenantId: row.tenant_id, readOnly: row.read_only, expiresAt: row.expires_at }
      : null;
  }

  /** The session whose token hashes to `tokenHash`, live or expired; null when none. */
  async findByHash(tokenHash: Buffer): Promise<FoundPortalSession | null> {
    const rows = await this.dataSource.query<
      { tenant_id: string; read_only: boolean; expires_at: Date; live: boolean }[]
    >(
      `SELECT tenant_id, read_only, expires_at, expires_at > now() AS live
       FROM portal_sessions WHERE token_hash = $1`,
      [tokenHash],
    );
    const row = rows[0];
    return row
      ? {
          tenantId: row.tenant_id,
          readOnly: row.read_only,
          expiresAt: row.expires_at,
          live: row.live,
        }
      : null;
  }

  /** Removes one expired session (a request presented it). */
  async deleteExpired(tokenHash: Buffer): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM portal_sessions WHERE token_hash = $1 AND expires_at <= now()`,
      [tokenHash],
    );
  }

  /** Revokes every session of the tenant; false when the tenant does not exist. */
  async revokeAll(tenantId: string): Promise<boolean> {
    const rows = await this.dataSource.query<{ found: boolean }[]>(
      `WITH revoked AS (DELETE FROM portal_sessions WHERE tenant_id = $1)
       SELECT EXISTS (SELECT 1 FROM tenants WHERE id = $1) AS found`,
      [tenantId],
    );
    return rows[0].found;
  }

  /**
   * The tenant's live sessions, newest first, at most `limit`; null when the tenant does
   * not exist (or is outside `scope`). One statement: the tenant's row, joined to its
   * sessions by the (tenant_id, expires_at) index.
   */
  async listLive(
    scope: Scope,
    tenantId: string,
    limit: number,
  ): Promise<ListedPortalSession[] | null> {
    const params: unknown[] = [tenantId, limit];
    const rows = await this.dataSource.query<
      { id: string | null; read_only: boolean; expires_at: Date; created_at: Date }[]
    >(
      `SELECT s.id, s.read_only, s.expires_at, s.created_at
       FROM tenants t
       LEFT JOIN LATERAL (
         SELECT id, read_only, expires_at, created_at FROM portal_sessions
         WHERE tenant_id = t.id AND expires_at > now()
         ORDER BY created_at DESC, id DESC LIMIT $2
       ) s ON true
       WHERE t.id = $1${andScope(scope, 't.id', params)}
       ORDER BY s.created_at DESC, s.id DESC`,
      params,
    );
    if (rows.length === 0) return null;
    return rows.flatMap((r) =>
      r.id === null
        ? []
        : [{ id: r.id, readOnly: r.read_only, expiresAt: r.expires_at, createdAt: r.created_at }],
    );
  }

  /**
   * Revokes (deletes) the tenant's session `sessionId`. An expired one is deleted too but
   * answered as not found, as the list does not show it; another tenant's is untouched.
   */
  async revokeOne(scope: Scope, tenantId: string, sessionId: string): Promise<RevokeOneOutcome> {
    const params: unknown[] = [tenantId, sessionId];
    const sessionScope = andScope(scope, 'tenant_id', params);
    const tenantScope = andScope(scope, 'id', params);
    const rows = await this.dataSource.query<{ tenant: boolean; live: boolean }[]>(
      `WITH revoked AS (
         DELETE FROM portal_sessions WHERE id = $2 AND tenant_id = $1${sessionScope}
         RETURNING expires_at > now() AS live
       )
       SELECT EXISTS (SELECT 1 FROM tenants WHERE id = $1${tenantScope}) AS tenant,
              COALESCE((SELECT live FROM revoked), false) AS live`,
      params,
    );
    const row = rows[0];
    return !row.tenant ? 'no-tenant' : row.live ? 'revoked' : 'no-session';
  }
}
