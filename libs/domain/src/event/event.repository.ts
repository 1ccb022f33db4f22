import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BoundedPage } from '../common/bounded-page';
import {
  newestFirst,
  newestFirstCursor,
  whereCreatedAt,
  type CreatedAtRange,
  type Page,
} from '../common/list-query';
import { rowToEntity, timeParam, type Row } from '../common/rows';
import { poolSizeOf, StatementBatcher } from '../common/statement-batcher';
import type { Sql, UnitOfWork } from '../common/unit-of-work';
import type { Scope } from '../tenant/scope';
import { whereScope, whereTenant } from '../tenant/scope.sql';
import { Event } from './event.entity';
import { matchingPatterns } from './event-type.rules';
import { parkedAtCreation, parkingCtes } from '../dispatch/parking.sql';

export interface EventInput {
  eventType: string;
  payload: string;
  /** Its deliveries' first attempt, not before (a Date or RFC 3339 text); now when omitted. */
  scheduledAt?: Date | string;
  /**
   * The tenant it is published for (§11): it fans out to that tenant's webhooks only;
   * null or left out, to the platform's own (webhooks without a tenant).
   */
  tenantId?: string | null;
}

export interface EventListFilter extends Page {
  eventType?: string;
  tenantId?: string;
  createdAt?: CreatedAtRange;
}

/**
 * An event just stored with its fan-out, and how many milliseconds until it is due; or,
 * `event` null, one refused: its tenant does not exist (`unknownTenant`), or it matched
 * more webhooks than its `maxMatches`.
 */
export type PublishedEvent =
  | { event: Event; dueInMs: number; matches: number }
  | { event: null; matches: number; unknownTenant: boolean };

/** What one publish statement takes per event: the event, and its most matches. */
interface PublishInput {
  input: EventInput;
  maxMatches: number;
}

/**
 * Stores events and one delivery per matching webhook, in one statement for all of them,
 * so each event commits with its deliveries and every event sees the same webhooks. A
 * webhook matches when it is the event's tenant's (§11: a tenant's event reaches only that
 * tenant's webhooks, one without a tenant only the platform's own) and one of its patterns
 * is one of those that match the type (`order.item.added` → {order.item.added, order.*,
 * order.item.*, *}): an index-only scan of webhook_event_types per (tenant, pattern), its
 * key leading with the tenant (TenantFanOutIndexes), so publishing for a tenant reads
 * that tenant's subscriptions only. `tenant_key` is '' for the platform's (kept by a
 * trigger on webhooks, like the patterns, one row each).
 * $1–$4 the events' columns, $8 their tenants (NULL: the platform's); $5, $6 each event's
 * matching patterns, flattened: the event's position (1-based) and the pattern; $7 each
 * event's most matches (POSTMAND_MAX_FANOUT_BYTES over its payload's size): an event with
 * more is not stored, and its row comes back with `fits` false; nor is one whose tenant
 * does not exist (`tenant_found` false).
 *
 * A webhook with a filter (§15) matches only when its compiled predicate (`filter_path`,
 * read under the lock below, so a filter changed meanwhile is the one that counts) holds
 * on the event's payload (`kept`): a non-matching webhook costs no delivery row and is not
 * counted in `delivery_count`. The payload is parsed (postmand_json_doc: NULL when it is
 * not a JSON object or array, or one jsonb cannot hold, which then matches no filter) once
 * per event, and only for
 * an event that has a candidate with a filter (`docs`): publishing to webhooks without
 * filters parses nothing. Each candidate reaches its event's document by a join (`kept`),
 * never a subquery per (event, webhook) pair: a batch of 100 events, each with 1,000
 * filtered candidates, would scan `docs` once per pair.
 *
 * The payload is stored once, on the event: its deliveries leave theirs NULL and are read
 * with the event's (deliveries_full, the claim). Each delivery carries its webhook's
 * tenant, which is its event's: `hooks` keeps each webhook with its own tenant's key, and
 * an event's candidates count (`sized`) and fan out (`matched`) only where that key is
 * the event's, so that holds by this statement, not by the trigger alone, for each event
 * of a batch: a webhook held for one event's match is not thereby matched for another
 * event of another tenant (a stale subscription row of another tenant's key, say).
 *
 * The matching webhooks are locked (key share, the lock the deliveries' foreign key takes
 * anyway) in id order before any delivery is written: a webhook being deleted meanwhile is
 * waited for and then not matched (no foreign-key violation), and two statements never
 * take the same webhooks' locks in opposite orders. The events' tenants are locked (key
 * share, as the events' foreign key would) after them, as a tenant's delete takes its
 * webhooks before the tenant: a tenant deleted meanwhile is waited for and then not found
 * (a 404, never a foreign-key violation), and the two never deadlock.
 */
export const PUBLISH_SQL = `WITH input AS (
   SELECT *, coalesce(tenant_id, '') AS tenant_key
   FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $7::bigint[], $8::text[])
     WITH ORDINALITY AS v (id, event_type, payload, scheduled_at, max_matches, tenant_id, n)
 ),
 candidates AS MATERIALIZED (
   SELECT DISTINCT v.id AS event_id, s.webhook_id, s.tenant_key
   FROM unnest($5::int[], $6::text[]) AS c (n, pattern)
   JOIN input v ON v.n = c.n
   JOIN webhook_event_types s ON s.tenant_key = v.tenant_key AND s.pattern = c.pattern
 ),
 hooks AS MATERIALIZED (
   SELECT w.id, coalesce(w.tenant_id, '') AS tenant_key, w.filter_path FROM webhooks w
   WHERE (w.id, coalesce(w.tenant_id, '')) IN (SELECT webhook_id, tenant_key FROM candidates)
   ORDER BY w.id
   FOR KEY SHARE
 ),
 tenants_held AS MATERIALIZED (
   SELECT t.id FROM tenants t
   WHERE t.id IN (SELECT tenant_id FROM input) AND (SELECT count(*) FROM hooks) >= 0
   ORDER BY t.id
   FOR KEY SHARE
 ),
 docs AS MATERIALIZED (
   SELECT v.id, postmand_json_doc(v.payload) AS doc FROM input v
   WHERE v.id IN (SELECT c.event_id FROM candidates c JOIN hooks h
                    ON h.id = c.webhook_id AND h.tenant_key = c.tenant_key
                  WHERE h.filter_path IS NOT NULL)
 ),
 kept AS MATERIALIZED (
   SELECT c.event_id, c.webhook_id FROM candidates c
   JOIN hooks h ON h.id = c.webhook_id AND h.tenant_key = c.tenant_key
   LEFT JOIN docs d ON d.id = c.event_id
   WHERE h.filter_path IS NULL OR coalesce(d.doc @@ h.filter_path, false)
 ),
 sized AS MATERIALIZED (
   SELECT v.id, count(k.webhook_id) AS matches, count(k.webhook_id) <= v.max_matches AS fits,
          v.tenant_id IS NULL OR v.tenant_id IN (SELECT id FROM tenants_held) AS tenant_found
   FROM input v
   LEFT JOIN kept k ON k.event_id = v.id
   GROUP BY v.id, v.max_matches, v.tenant_id
 ),
 matched AS MATERIALIZED (
   SELECT k.event_id, k.webhook_id FROM kept k JOIN sized z ON z.id = k.event_id
   WHERE z.fits AND z.tenant_found
 ),
 ${parkingCtes('SELECT webhook_id FROM matched')},
 event AS (
   INSERT INTO events (id, event_type, payload, scheduled_at, delivery_count, tenant_id)
   SELECT v.id, v.event_type, v.payload, coalesce(v.scheduled_at, now()), z.matches, v.tenant_id
   FROM input v JOIN sized z ON z.id = v.id
   WHERE z.fits AND z.tenant_found
   RETURNING *
 ),
 fanned AS (
   INSERT INTO deliveries (id, webhook_id, scheduled_at, event_id, event_type, parked, tenant_id)
   SELECT gen_random_uuid(), m.webhook_id, e.scheduled_at, e.id, e.event_type,
          ${parkedAtCreation('m.webhook_id')}, e.tenant_id
   FROM matched m JOIN event e ON e.id = m.event_id
 )
 SELECT z.id AS input_id, z.matches, z.fits, z.tenant_found, e.*,
        floor(greatest(0, extract(epoch FROM e.scheduled_at - now()) * 1000))::bigint AS due_in_ms
 FROM sized z LEFT JOIN event e ON e.id = z.id`;

@Injectable()
export class EventRepository {
  /**
   * Concurrent publishes share statements, as concurrent delivery creates do (a quarter
   * of the pool at most, beside the creates' half).
   */
  private readonly publishes: StatementBatcher<PublishInput, PublishedEvent>;

  constructor(private readonly dataSource: DataSource) {
    this.publishes = new StatementBatcher(
      (inputs) => this.insert(dataSource, inputs),
      {
        maxInFlight: Math.max(1, Math.floor(poolSizeOf(dataSource) / 4)),
        maxRows: 100,
        maxBytes: 8 * 1024 * 1024,
      },
      ({ input }) => input.payload.length,
    );
  }

  /**
   * Stores the event with its fan-out (see PUBLISH_SQL), unless it matches more than
   * `maxMatches` webhooks: then nothing is stored.
   */
  async publish(input: EventInput, maxMatches: number, uow?: UnitOfWork): Promise<PublishedEvent> {
    if (uow) return (await this.insert(uow.sql, [{ input, maxMatches }]))[0];
    return this.publishes.submit({ input, maxMatches });
  }

  private async insert(sql: Sql, batch: PublishInput[]): Promise<PublishedEvent[]> {
    const inputs = batch.map((b) => b.input);
    const ids = inputs.map(() => randomUUID());
    const positions: number[] = [];
    const patterns: string[] = [];
    inputs.forEach((input, i) => {
      for (const pattern of matchingPatterns(input.eventType)) {
        positions.push(i + 1);
        patterns.push(pattern);
      }
    });
    const rows = await sql.query<Row[]>(PUBLISH_SQL, [
      ids,
      inputs.map((i) => i.eventType),
      inputs.map((i) => i.payload),
      inputs.map((i) => timeParam(i.scheduledAt)),
      positions,
      patterns,
      batch.map((b) => Math.min(b.maxMatches, Number.MAX_SAFE_INTEGER)),
      inputs.map((i) => i.tenantId ?? null),
    ]);
    const byId = new Map(rows.map((row) => [String(row.input_id), row]));
    return ids.map((id): PublishedEvent => {
      const row = byId.get(id)!;
      const matches = Number(row.matches);
      if (!row.tenant_found) return { event: null, matches, unknownTenant: true };
      if (!row.fits) return { event: null, matches, unknownTenant: false };
      return { event: this.toEntity(row), dueInMs: Number(row.due_in_ms), matches };
    });
  }

  /** Null when unknown or outside `scope`: another tenant's event is an unknown one. */
  findById(scope: Scope, id: string): Promise<Event | null> {
    const qb = this.dataSource.getRepository(Event).createQueryBuilder('e');
    return whereScope(qb.where('e.id = :id', { id }), 'e', scope).getOne();
  }

  /** A page of events within `scope`, newest first, whose payloads are read as it is consumed. */
  page(scope: Scope, filter: EventListFilter): Promise<BoundedPage<Event>> {
    const qb = whereScope(this.dataSource.getRepository(Event).createQueryBuilder('e'), 'e', scope);
    whereTenant(qb, 'e', filter.tenantId);
    if (filter.eventType) qb.andWhere('e.event_type = :eventType', { eventType: filter.eventType });
    whereCreatedAt(qb, 'e', filter.createdAt);
    return BoundedPage.load(this.dataSource, newestFirst(qb, 'e', filter), 'e', ['payload'], {
      limit: filter.limit,
      cursorOf: newestFirstCursor('events'),
    });
  }

  private toEntity(row: Row): Event {
    return rowToEntity(this.dataSource, Event, row);
  }
}
