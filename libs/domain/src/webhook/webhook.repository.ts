import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  encodeCursor,
  whereCreatedAt,
  type CreatedAtRange,
  type ListPage,
  type Page,
} from '../common/list-query';
import { rowToEntity, type Row } from '../common/rows';
import { FixedFieldError, NotFoundError, TenantWebhookLimitError } from '../common/domain-errors';
import type { Sql, UnitOfWork } from '../common/unit-of-work';
import { LEASE_MARGIN_SECONDS } from '../dispatch/claim.sql';
import {
  ADOPT_PLAIN_LEASES_SQL,
  OPEN_TRANSACTIONS_SQL,
  STILL_OPEN_SQL,
} from '../dispatch/parking.sql';
import type { Scope } from '../tenant/scope';
import { andScope, whereScope, whereTenant } from '../tenant/scope.sql';
import { Webhook } from './webhook.entity';
import { WEBHOOK_FIELD_ENTRIES, type WebhookSettings } from './webhook.fields';
import { compileFilter } from './filter/filter.jsonpath';
import { SECRET_ROTATION, secretTokenProblem } from './webhook.rules';

/** Everything a client sets on a webhook, in the order of the statements below. */
const INPUT_FIELDS = WEBHOOK_FIELD_ENTRIES.map(([field]) => field);

/**
 * Rounds of adoption at most (ADOPT_PLAIN_LEASES_SQL, or a look at the transactions it
 * waits for), the pause between two (about 5 s in all: a worker's claim transaction on a
 * loaded machine commits well within it), and the rows one round takes.
 */
const ADOPT_ROUNDS = 250;
const ADOPT_PAUSE_MS = 20;
const ADOPT_BATCH = 500;

/** What a client sets; the rest (id, times) is the service's. */
export type WebhookInput = WebhookSettings;

/**
 * A webhook to create: what a client sets, and its tenant (§11), which is fixed from then
 * on; null or left out, the platform's own.
 */
export type NewWebhook = WebhookInput & { tenantId?: string | null };

export interface WebhookListFilter extends Page {
  active?: boolean;
  tenantId?: string;
  createdAt?: CreatedAtRange;
}

/** The input's values, in the order of INPUT_FIELDS. */
function values(input: WebhookInput): unknown[] {
  return INPUT_FIELDS.map((field) => input[field]);
}

/**
 * The input's filter compiled (§15), stored beside it in `filter_path` for the publish
 * statement to evaluate; null without one. The API has refused a filter that cannot be.
 */
function filterPath(input: WebhookInput): string | null {
  const compiled = compileFilter(input.filter);
  if ('problem' in compiled) throw new Error(`filter: ${compiled.problem}`);
  return compiled.path;
}

/** The input's columns (WEBHOOK_FIELDS) and their placeholders ($2 on). */
const COLUMNS = WEBHOOK_FIELD_ENTRIES.map(([, spec]) => spec.column).join(', ');
const PLACEHOLDERS = INPUT_FIELDS.map((_, i) => `$${i + 2}`).join(', ');

@Injectable()
export class WebhookRepository {
  private readonly logger = new Logger(WebhookRepository.name);

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts the webhook. One of a tenant also needs the tenant (else NotFoundError) and
   * room under its `max_webhooks` (else TenantWebhookLimitError), checked in the
   * transaction that inserts it (the caller's, or one of its own): see forTenant.
   */
  async create(input: NewWebhook, uow?: UnitOfWork): Promise<Webhook> {
    const tenantId = input.tenantId ?? null;
    if (tenantId === null) return this.insert(uow?.sql ?? this.dataSource, input, null);
    if (uow) return this.forTenant(uow.sql, input, tenantId);
    return this.dataSource.transaction((tx) => this.forTenant(tx, input, tenantId));
  }

  /**
   * A tenant's webhook, within its `max_webhooks` however many creates run at once on
   * however many API processes. The tenant's row is locked first (FOR NO KEY UPDATE:
   * creates for one tenant queue here, while the foreign keys' KEY SHARE of other writers
   * does not wait for it), then its webhooks are counted in a statement of their own: under
   * READ COMMITTED a statement sees what committed before it began, so a count taken after
   * the lock sees every webhook that the creates before this one committed. Counted by
   * webhooks_tenant_id_idx (tenant_id, id), an index-only scan of at most 10,000 entries.
   * A tenant deleted meanwhile is waited for and then not found: its lock is taken before
   * the insert's foreign key looks.
   */
  private async forTenant(sql: Sql, input: WebhookInput, tenantId: string): Promise<Webhook> {
    const tenants = await sql.query<{ max_webhooks: number | null }[]>(
      `SELECT max_webhooks FROM tenants WHERE id = $1 FOR NO KEY UPDATE`,
      [tenantId],
    );
    if (tenants.length === 0) throw new NotFoundError('tenant');
    const limit = tenants[0].max_webhooks;
    if (limit !== null) {
      const [{ n }] = await sql.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM webhooks WHERE tenant_id = $1`,
        [tenantId],
      );
      if (n >= limit) throw new TenantWebhookLimitError(tenantId, limit);
    }
    return this.insert(sql, input, tenantId);
  }

  private async insert(sql: Sql, input: WebhookInput, tenantId: string | null): Promise<Webhook> {
    const tenant = `$${INPUT_FIELDS.length + 2}`;
    const path = `$${INPUT_FIELDS.length + 3}::jsonpath`;
    const rows = await sql.query<Row[]>(
      `INSERT INTO webhooks (id, ${COLUMNS}, tenant_id, filter_path)
       VALUES ($1, ${PLACEHOLDERS}, ${tenant}, ${path})
       RETURNING *`,
      [randomUUID(), ...values(input), tenantId, filterPath(input)],
    );
    return rowToEntity(this.dataSource, Webhook, rows[0]);
  }

  /** Null when unknown or outside `scope`: another tenant's webhook is an unknown one. */
  async findById(scope: Scope, id: string): Promise<Webhook | null> {
    const params: unknown[] = [id];
    const rows = await this.dataSource.query<Row[]>(
      `SELECT * FROM webhooks WHERE id = $1${andScope(scope, 'tenant_id', params)}`,
      params,
    );
    return rows.length > 0 ? rowToEntity(this.dataSource, Webhook, rows[0]) : null;
  }

  /**
   * Ordered by name, then id: stable pages for a list that people read; after a cursor,
   * the rows that follow its (name, id). One row beyond the page tells whether another
   * page follows.
   */
  async list(scope: Scope, filter: WebhookListFilter): Promise<ListPage<Webhook>> {
    const qb = whereScope(
      this.dataSource.getRepository(Webhook).createQueryBuilder('w'),
      'w',
      scope,
    );
    whereTenant(qb, 'w', filter.tenantId);
    if (filter.active !== undefined) qb.andWhere('w.active = :active', { active: filter.active });
    whereCreatedAt(qb, 'w', filter.createdAt);
    if (filter.after) {
      qb.andWhere('(w.name, w.id) > (:after_name, CAST(:after_id AS uuid))', {
        after_name: filter.after[0],
        after_id: filter.after[1],
      });
    }
    const rows = await qb
      .orderBy('w.name', 'ASC')
      .addOrderBy('w.id', 'ASC')
      .limit(filter.limit + 1)
      .offset(filter.offset)
      .getMany();
    const more = rows.length > filter.limit;
    if (more) rows.length = filter.limit;
    const last = rows[rows.length - 1];
    return { rows, nextCursor: more ? encodeCursor('webhooks', [last.name, last.id]) : null };
  }

  /**
   * Full replacement (PUT). Null when no such webhook. Turning `active` from false to true
   * re-enables it: the reason postmand disabled it is cleared and its circuit closed (§7);
   * a PUT on an active webhook leaves its circuit as it is. Made limited, the attempts the
   * plain claim started count against its limits (ADOPT_PLAIN_LEASES_SQL), once the change
   * has committed. Null too for a webhook outside `scope`.
   */
  async replace(scope: Scope, id: string, input: NewWebhook): Promise<Webhook | null> {
    const active = `$${INPUT_FIELDS.indexOf('active') + 2}::boolean`;
    // The tenant is fixed at creation (§11): a PUT may leave it out (undefined) or repeat
    // it; the row is updated only then, and otherwise looked at to tell which refusal.
    const tenantGiven = `$${INPUT_FIELDS.length + 2}::boolean`;
    const tenant = `$${INPUT_FIELDS.length + 3}::varchar`;
    const path = `$${INPUT_FIELDS.length + 4}::jsonpath`;
    const secret = `$${INPUT_FIELDS.indexOf('secretToken') + 2}::varchar`;
    const reEnabled = `NOT active AND ${active}`;
    // A PUT that changes the secret replaces it at once, as in v1: no rotation's old
    // secrets sign beside a secret set by hand. One that sends it back leaves them.
    const params: unknown[] = [
      id,
      ...values(input),
      input.tenantId !== undefined,
      input.tenantId ?? null,
      filterPath(input),
    ];
    const inScope = andScope(scope, 'tenant_id', params);
    const [rows] = await this.dataSource.query<[Row[], number]>(
      `UPDATE webhooks SET (${COLUMNS}, filter_path, updated_at) = (${PLACEHOLDERS}, ${path}, now()),
         previous_secrets = CASE WHEN secret_token = ${secret} THEN previous_secrets END,
         disabled_reason = CASE WHEN ${active} THEN NULL ELSE disabled_reason END,
         consecutive_failures = CASE WHEN ${reEnabled} THEN 0 ELSE consecutive_failures END,
         failing_since = CASE WHEN ${reEnabled} THEN NULL ELSE failing_since END,
         circuit_open_until = CASE WHEN ${reEnabled} THEN NULL ELSE circuit_open_until END,
         circuit_cooldown = CASE WHEN ${reEnabled} THEN NULL ELSE circuit_cooldown END
       WHERE id = $1${inScope} AND (NOT ${tenantGiven} OR tenant_id IS NOT DISTINCT FROM ${tenant})
       RETURNING *, (SELECT o.limited FROM webhooks o WHERE o.id = $1) AS was_limited`,
      params,
    );
    if (rows.length === 0) {
      if (input.tenantId === undefined) return null;
      // Looked for in the same scope: another tenant's webhook is not found, never
      // "fixed at creation" (which would tell that it exists).
      const lookup: unknown[] = [id];
      const [exists] = await this.dataSource.query<Row[]>(
        `SELECT 1 FROM webhooks WHERE id = $1${andScope(scope, 'tenant_id', lookup)}`,
        lookup,
      );
      if (!exists) return null;
      throw new FixedFieldError('tenant_id', 'is fixed at creation: leave it out or send the same');
    }
    // Made limited: the attempts the plain claim started count against the limits too.
    // The change has committed: a failure here is logged, not the PUT's (a 5xx would say
    // it was not applied). Done in the PUT's transaction instead, the wait for older
    // transactions below could wait on one that waits for the webhook's row (a
    // completion's update of its health) until the rounds run out.
    if (rows[0].limited && !rows[0].was_limited) {
      try {
        await this.adoptPlainLeases(id);
      } catch (err) {
        this.logger.warn(
          `webhook ${id} made limited: counting the attempts in flight failed ` +
            `(${err instanceof Error ? err.message : String(err)}); they are not counted against its limits`,
        );
      }
    }
    return rowToEntity(this.dataSource, Webhook, rows[0]);
  }

  /**
   * ADOPT_PLAIN_LEASES_SQL in rounds, and between them a wait for the transactions open
   * when the change committed (a plain claim among them may still lease rows by its older
   * snapshot, which sees the webhook unlimited). Done when they have ended and a round
   * after that finds nothing in flight left without a lease; rows held by a claim or a
   * completion are left to the next round, a moment later. Bounded (ADOPT_ROUNDS).
   */
  private async adoptPlainLeases(id: string): Promise<void> {
    const [{ open }] = await this.dataSource.query<{ open: string[] }[]>(OPEN_TRANSACTIONS_SQL);
    let waiting = open.length > 0;
    for (let round = 0; round < ADOPT_ROUNDS; round++) {
      if (waiting) {
        const [still] = await this.dataSource.query<{ open: number }[]>(STILL_OPEN_SQL, [open]);
        waiting = still.open > 0;
      }
      // Every round while waiting would read the webhook's pending rows again and again:
      // only the first, then once the wait is over.
      if (round === 0 || !waiting) {
        const [done] = await this.dataSource.query<{ live: number; adopted: number }[]>(
          ADOPT_PLAIN_LEASES_SQL,
          [id, LEASE_MARGIN_SECONDS, ADOPT_BATCH],
        );
        if (!waiting && done.live === done.adopted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, ADOPT_PAUSE_MS));
    }
  }

  /**
   * Makes `secretToken` the webhook's secret; the one it replaces (unless empty or the
   * same) signs beside it for `graceSeconds` more, and so do earlier ones still in their
   * grace period, newest first, up to SECRET_ROTATION.maxLiveSecrets in all. Expired ones
   * are dropped. One statement: two rotations at once both keep what the other retired.
   * Null when unknown or outside `scope`.
   */
  async rotateSecret(
    scope: Scope,
    id: string,
    secretToken: string,
    graceSeconds: number,
  ): Promise<Webhook | null> {
    const params: unknown[] = [id, secretToken, graceSeconds, SECRET_ROTATION.maxLiveSecrets - 1];
    const inScope = andScope(scope, 'w.tenant_id', params);
    const [rows] = await this.dataSource.query<[Row[], number]>(
      `UPDATE webhooks w SET
         secret_token = $2::varchar,
         updated_at = now(),
         previous_secrets = (
           SELECT CASE WHEN count(*) = 0 THEN NULL ELSE jsonb_agg(kept.s ORDER BY kept.ord) END
           FROM (
             SELECT s, ord FROM (
               SELECT jsonb_build_object(
                        'secret_token', w.secret_token,
                        'expires_at', to_jsonb(date_trunc('milliseconds', now() + make_interval(secs => $3::int)))
                      ) AS s, 0::bigint AS ord
               WHERE w.secret_token <> '' AND w.secret_token <> $2::varchar AND $3::int > 0
               UNION ALL
               SELECT e.s, e.ord
               FROM jsonb_array_elements(coalesce(w.previous_secrets, '[]'::jsonb))
                    WITH ORDINALITY AS e(s, ord)
               WHERE (e.s->>'expires_at')::timestamptz > now() AND e.s->>'secret_token' <> $2::varchar
             ) live
             ORDER BY ord
             LIMIT $4
           ) kept
         )
       WHERE id = $1${inScope}
       RETURNING *`,
      params,
    );
    return rows.length > 0 ? rowToEntity(this.dataSource, Webhook, rows[0]) : null;
  }

  /**
   * The webhooks whose secret cannot sign safely (a `whsec_` token that is not base64 of
   * 24–64 bytes, accepted before v3 checked it), by id: `postmand migrate` reports them.
   */
  async unusableSecrets(scope: Scope): Promise<string[]> {
    const params: unknown[] = [];
    const rows = await this.dataSource.query<{ id: string; secret_token: string }[]>(
      `SELECT id, secret_token FROM webhooks
       WHERE secret_token LIKE 'whsec\\_%'${andScope(scope, 'tenant_id', params)} ORDER BY id`,
      params,
    );
    return rows.filter((r) => secretTokenProblem(r.secret_token) !== undefined).map((r) => r.id);
  }

  /**
   * Deletes the webhook with its deliveries and attempts (ON DELETE CASCADE); false when
   * unknown or outside `scope`.
   */
  async delete(scope: Scope, id: string): Promise<boolean> {
    const params: unknown[] = [id];
    const [, count] = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM webhooks WHERE id = $1${andScope(scope, 'tenant_id', params)}`,
      params,
    );
    return count > 0;
  }
}
