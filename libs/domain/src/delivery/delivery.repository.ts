import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  newestFirst,
  newestFirstCursor,
  whereCreatedAt,
  type CreatedAtRange,
  type Page,
} from '../common/list-query';
import { BoundedPage } from '../common/bounded-page';
import { rowToEntity, timeParam, type Row } from '../common/rows';
import { parkedAtCreation, parkingCtes } from '../dispatch/parking.sql';
import { poolSizeOf, StatementBatcher } from '../common/statement-batcher';
import type { Sql, UnitOfWork } from '../common/unit-of-work';
import type { Scope } from '../tenant/scope';
import { andScope, whereScope, whereTenant } from '../tenant/scope.sql';
import { Delivery, type DeliveryStatus } from './delivery.entity';

export interface DeliveryInput {
  webhookId: string;
  payload: string;
  /** First attempt not before this time (a Date or RFC 3339 text); now when omitted. */
  scheduledAt?: Date | string;
  /** A test delivery's type (§14): set without an event. */
  eventType?: string;
}

export interface DeliveryListFilter extends Page {
  webhookId?: string;
  eventId?: string;
  eventType?: string;
  status?: DeliveryStatus;
  tenantId?: string;
  createdAt?: CreatedAtRange;
}

/** Which deliveries a bulk redeliver copies (§7): each field narrows it further. */
export interface RedeliverFilter {
  status: DeliveryStatus;
  webhookId?: string;
  eventType?: string;
  /** Created strictly after / before these times (Date or RFC 3339 text). */
  createdAfter?: Date | string;
  createdBefore?: Date | string;
}

/** Most deliveries one bulk redeliver may match. */
export const BULK_REDELIVER_LIMIT = 100_000;

/** A delivery just inserted, and how many milliseconds until it is due (0: now). */
export interface CreatedDelivery {
  delivery: Delivery;
  dueInMs: number;
}

/** Milliseconds until the new row is due, by the database's clock. */
const DUE_IN_MS = `floor(greatest(0, extract(epoch FROM scheduled_at - now()) * 1000))::bigint AS due_in_ms`;

/**
 * A new row as deliveries_full reads it: a delivery of an event, which stores no payload
 * of its own, returns the event's.
 */
const RETURNING_FULL = `RETURNING *,
  coalesce(payload, (SELECT e.payload FROM events e WHERE e.id = event_id)) AS full_payload,
  ${DUE_IN_MS}`;

/**
 * Every delivery carries its webhook's tenant (§11), copied when it is written: from the
 * webhook's row, which a create locks anyway, or, for a copy (a redelivery), from the
 * delivery copied, which holds its webhook's (a webhook's tenant never changes).
 *
 * A copy (a redelivery) first locks the source deliveries' webhooks, key share in id
 * order (`source_hooks`, the lock the new rows' foreign key takes anyway), and copies only
 * deliveries whose webhook it holds: a webhook (or tenant) being deleted meanwhile is
 * waited for and then not found, so its deliveries are not copied (a 404, never a
 * foreign-key violation). Webhooks before events is the order a tenant's delete takes
 * them in (its webhooks, then the cascade to its events): taken the other way round, the
 * two deadlocked and the redelivery was the victim (a 500).
 *
 * It copies deliveries of events by their reference to the event, not its payload, under
 * a key-share lock on each event row while the copy commits: retention removes an event
 * only once it holds the row and sees no delivery of it (RetentionService.events).
 * `deliveries` is a set expression of source delivery ids, `skip` an SQL boolean that,
 * when it holds, locks nothing.
 */
const heldSources = (deliveries: string, skip = 'false'): string => `source_hooks AS MATERIALIZED (
   SELECT w.id FROM webhooks w
   WHERE w.id IN (SELECT s.webhook_id FROM deliveries s WHERE s.id IN (${deliveries}))
     AND NOT (${skip})
   ORDER BY w.id
   FOR KEY SHARE
 ),
 held_events AS (
   SELECT e.id FROM events e
   WHERE (SELECT count(*) FROM source_hooks) >= 0
     AND e.id IN (SELECT s.event_id FROM deliveries s WHERE s.id IN (${deliveries}))
     AND NOT (${skip})
   ORDER BY e.id
   FOR KEY SHARE
 )`;
/**
 * The source delivery `d` can be copied: its webhook is held, and it has its own payload
 * or its event is held.
 */
const COPYABLE = `d.webhook_id IN (SELECT id FROM source_hooks)
  AND (d.payload IS NOT NULL OR d.event_id IN (SELECT id FROM held_events))`;

@Injectable()
export class DeliveryRepository {
  /**
   * Concurrent creates share statements: one INSERT (one round trip, one commit) carries
   * every delivery that arrived while the earlier ones were being written. At most half
   * the pool writes at once, so reads still find a connection.
   */
  private readonly inserts: StatementBatcher<DeliveryInput, CreatedDelivery | null>;

  constructor(private readonly dataSource: DataSource) {
    this.inserts = new StatementBatcher(
      (inputs) => this.insert(this.dataSource, inputs),
      {
        maxInFlight: Math.max(1, Math.ceil(poolSizeOf(dataSource) / 2)),
        maxRows: 200,
        maxBytes: 8 * 1024 * 1024,
      },
      (input) => input.payload.length,
    );
  }

  /**
   * Inserts a pending delivery for an existing webhook, in one statement: null when the
   * webhook does not exist (no window between a check and the insert). The webhook's row
   * is read under a key-share lock (the one the foreign key takes anyway): one being
   * deleted meanwhile is waited for and then not found, a 404 rather than a foreign-key
   * violation.
   */
  async create(input: DeliveryInput, uow?: UnitOfWork): Promise<CreatedDelivery | null> {
    if (uow) return (await this.insert(uow.sql, [input]))[0];
    return this.inserts.submit(input);
  }

  private async insert(sql: Sql, inputs: DeliveryInput[]): Promise<(CreatedDelivery | null)[]> {
    const ids = inputs.map(() => randomUUID());
    const scheduled = inputs.map((i) => timeParam(i.scheduledAt));
    const types = inputs.map((i) => i.eventType ?? null);
    const rows =
      inputs.length === 1
        ? await sql.query<Row[]>(
            `WITH ${parkingCtes('$2::uuid')}
             INSERT INTO deliveries
               (id, webhook_id, payload, scheduled_at, parked, tenant_id, event_type)
             SELECT $1, w.id, $3, coalesce($4::timestamptz, now()), ${parkedAtCreation('w.id')},
                    w.tenant_id, $5
             FROM webhooks w WHERE w.id = $2
             FOR KEY SHARE OF w
             RETURNING *, ${DUE_IN_MS}`,
            [ids[0], inputs[0].webhookId, inputs[0].payload, scheduled[0], types[0]],
          )
        : await sql.query<Row[]>(
            `WITH ${parkingCtes('SELECT unnest($2::uuid[])')}
             INSERT INTO deliveries
               (id, webhook_id, payload, scheduled_at, parked, tenant_id, event_type)
             SELECT v.id, w.id, v.payload, coalesce(v.scheduled_at, now()),
                    ${parkedAtCreation('w.id')}, w.tenant_id, v.event_type
             FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[])
                  AS v (id, webhook_id, payload, scheduled_at, event_type)
             JOIN webhooks w ON w.id = v.webhook_id
             FOR KEY SHARE OF w
             RETURNING *, ${DUE_IN_MS}`,
            [ids, inputs.map((i) => i.webhookId), inputs.map((i) => i.payload), scheduled, types],
          );
    const byId = new Map(rows.map((row) => [String(row.id), row]));
    return ids.map((id) => {
      const row = byId.get(id);
      return row ? this.created(row) : null;
    });
  }

  /**
   * A new pending delivery with the same webhook, payload and event; null when `id` is
   * unknown or outside `scope`.
   */
  async redeliver(scope: Scope, id: string, uow?: UnitOfWork): Promise<CreatedDelivery | null> {
    const params: unknown[] = [randomUUID(), id];
    const inScope = andScope(scope, 'd.tenant_id', params);
    const rows = await (uow?.sql ?? this.dataSource).query<Row[]>(
      `WITH ${heldSources(`SELECT d.id FROM deliveries d WHERE d.id = $2${inScope}`)},
       ${parkingCtes('SELECT id FROM source_hooks')}
       INSERT INTO deliveries (id, webhook_id, payload, event_id, event_type, parked, tenant_id)
       SELECT $1, d.webhook_id, d.payload, d.event_id, d.event_type,
              ${parkedAtCreation('d.webhook_id')}, d.tenant_id
       FROM deliveries d WHERE d.id = $2${inScope} AND ${COPYABLE}
       ${RETURNING_FULL}`,
      params,
    );
    const row = rows[0];
    return row ? this.created({ ...row, payload: row.full_payload }) : null;
  }

  /**
   * One new pending delivery, due now, for every delivery matching `filter` (payload,
   * webhook and event kept), in one statement, unless `dryRun` or more than
   * BULK_REDELIVER_LIMIT match; returns how many matched (at most the limit + 1) and
   * how many were created. Only ids are gathered first, so large payloads are copied
   * row by row, never held together. Only deliveries within `scope` match.
   */
  async redeliverMatching(
    scope: Scope,
    filter: RedeliverFilter,
    dryRun: boolean,
    uow?: UnitOfWork,
  ): Promise<{ matched: number; created: number }> {
    const params: unknown[] = [filter.status];
    const where = ['d.status = $1'];
    const add = (clause: (n: string) => string, value: unknown): void => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (scope.kind === 'tenant') add((p) => `d.tenant_id = ${p}`, scope.tenantId);
    if (filter.webhookId) add((p) => `d.webhook_id = ${p}`, filter.webhookId);
    if (filter.eventType) add((p) => `d.event_type = ${p}`, filter.eventType);
    if (filter.createdAfter) add((p) => `d.created_at > ${p}`, timeParam(filter.createdAfter));
    if (filter.createdBefore) add((p) => `d.created_at < ${p}`, timeParam(filter.createdBefore));
    params.push(BULK_REDELIVER_LIMIT, dryRun);
    const limit = `$${params.length - 1}`;
    // Nothing is locked nor copied for a dry run, or when more than the limit match.
    const skip = `$${params.length} OR (SELECT count(*) FROM matched) > ${limit}`;
    const [row] = await (uow?.sql ?? this.dataSource).query<{ matched: number; created: number }[]>(
      `WITH matched AS MATERIALIZED (
         SELECT d.id FROM deliveries d WHERE ${where.join(' AND ')} LIMIT ${limit} + 1
       ),
       ${heldSources('SELECT id FROM matched', skip)},
       ${parkingCtes('SELECT id FROM source_hooks')},
       created AS (
         INSERT INTO deliveries (id, webhook_id, payload, event_id, event_type, parked, tenant_id)
         SELECT gen_random_uuid(), d.webhook_id, d.payload, d.event_id, d.event_type,
                ${parkedAtCreation('d.webhook_id')}, d.tenant_id
         FROM matched m JOIN deliveries d ON d.id = m.id
         WHERE NOT (${skip}) AND ${COPYABLE}
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM matched)::int AS matched,
              (SELECT count(*) FROM created)::int AS created`,
      params,
    );
    return row;
  }

  /** Whether a delivery with this id exists within `scope` (an index probe; nothing is read). */
  async exists(scope: Scope, id: string): Promise<boolean> {
    const params: unknown[] = [id];
    const rows = await this.dataSource.query<Row[]>(
      `SELECT 1 FROM deliveries WHERE id = $1${andScope(scope, 'tenant_id', params)}`,
      params,
    );
    return rows.length > 0;
  }

  /** Null when unknown or outside `scope`: another tenant's delivery is an unknown one. */
  findById(scope: Scope, id: string): Promise<Delivery | null> {
    const qb = this.dataSource.getRepository(Delivery).createQueryBuilder('d');
    return whereScope(qb.where('d.id = :id', { id }), 'd', scope).getOne();
  }

  /** A page of deliveries within `scope`, newest first, whose payloads are read as it is consumed. */
  page(scope: Scope, filter: DeliveryListFilter): Promise<BoundedPage<Delivery>> {
    const qb = whereScope(
      this.dataSource.getRepository(Delivery).createQueryBuilder('d'),
      'd',
      scope,
    );
    whereTenant(qb, 'd', filter.tenantId);
    if (filter.webhookId) qb.andWhere('d.webhook_id = :webhookId', { webhookId: filter.webhookId });
    if (filter.eventId) qb.andWhere('d.event_id = :eventId', { eventId: filter.eventId });
    if (filter.eventType) qb.andWhere('d.event_type = :eventType', { eventType: filter.eventType });
    if (filter.status) qb.andWhere('d.status = :status', { status: filter.status });
    whereCreatedAt(qb, 'd', filter.createdAt);
    return BoundedPage.load(this.dataSource, newestFirst(qb, 'd', filter), 'd', ['payload'], {
      limit: filter.limit,
      cursorOf: newestFirstCursor('deliveries'),
    });
  }

  /** Deletes the delivery with its attempts (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    const [, count] = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM deliveries WHERE id = $1`,
      [id],
    );
    return count > 0;
  }

  private created(row: Row | undefined): CreatedDelivery | null {
    if (!row) return null;
    return { delivery: this.toEntity(row), dueInMs: Number(row.due_in_ms) };
  }

  private toEntity(row: Row): Delivery {
    return rowToEntity(this.dataSource, Delivery, row);
  }
}
