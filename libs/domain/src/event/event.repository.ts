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
import { Event } from './event.entity';
import { matchingPatterns } from './event-type.rules';
import { parkedAtCreation, parkingCtes } from '../delivery/parking.sql';

export interface EventInput {
  eventType: string;
  payload: string;
  /** Its deliveries' first attempt, not before (a Date or RFC 3339 text); now when omitted. */
  scheduledAt?: Date | string;
}

export interface EventListFilter extends Page {
  eventType?: string;
  createdAt?: CreatedAtRange;
}

/** An event just stored with its fan-out, and how many milliseconds until it is due. */
export interface PublishedEvent {
  event: Event;
  dueInMs: number;
}

/**
 * Stores events and one delivery per matching webhook, in one statement for all of them,
 * so each event commits with its deliveries and every event sees the same webhooks. A
 * webhook matches when one of its patterns is one of those that match the type
 * (`order.item.added` → {order.item.added, order.*, order.item.*, *}): an index-only scan
 * of webhook_event_types, the patterns one row each (kept by a trigger on webhooks).
 * $1–$4 the events' columns; $5, $6 each event's matching patterns, flattened: the
 * event's position (1-based) and the pattern.
 */
const PUBLISH_SQL = `WITH input AS (
   SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[])
     WITH ORDINALITY AS v (id, event_type, payload, scheduled_at, n)
 ),
 matched AS MATERIALIZED (
   SELECT DISTINCT v.id AS event_id, s.webhook_id
   FROM unnest($5::int[], $6::text[]) AS c (n, pattern)
   JOIN input v ON v.n = c.n
   JOIN webhook_event_types s ON s.pattern = c.pattern
 ),
 ${parkingCtes('SELECT webhook_id FROM matched')},
 event AS (
   INSERT INTO events (id, event_type, payload, scheduled_at, delivery_count)
   SELECT v.id, v.event_type, v.payload, coalesce(v.scheduled_at, now()),
          (SELECT count(*) FROM matched m WHERE m.event_id = v.id)
   FROM input v
   RETURNING *
 ),
 fanned AS (
   INSERT INTO deliveries (id, webhook_id, payload, scheduled_at, event_id, event_type, parked)
   SELECT gen_random_uuid(), m.webhook_id, e.payload, e.scheduled_at, e.id, e.event_type,
          ${parkedAtCreation('m.webhook_id')}
   FROM matched m JOIN event e ON e.id = m.event_id
 )
 SELECT e.*,
        floor(greatest(0, extract(epoch FROM e.scheduled_at - now()) * 1000))::bigint AS due_in_ms
 FROM event e`;

@Injectable()
export class EventRepository {
  /**
   * Concurrent publishes share statements, as concurrent delivery creates do (a quarter
   * of the pool at most, beside the creates' half).
   */
  private readonly publishes: StatementBatcher<EventInput, PublishedEvent>;

  constructor(private readonly dataSource: DataSource) {
    this.publishes = new StatementBatcher(
      (inputs) => this.insert(dataSource, inputs),
      {
        maxInFlight: Math.max(1, Math.floor(poolSizeOf(dataSource) / 4)),
        maxRows: 100,
        maxBytes: 8 * 1024 * 1024,
      },
      (input) => input.payload.length,
    );
  }

  /** Stores the event with its fan-out (see PUBLISH_SQL). */
  async publish(input: EventInput, uow?: UnitOfWork): Promise<PublishedEvent> {
    if (uow) return (await this.insert(uow.sql, [input]))[0];
    return this.publishes.submit(input);
  }

  private async insert(sql: Sql, inputs: EventInput[]): Promise<PublishedEvent[]> {
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
    ]);
    const byId = new Map(rows.map((row) => [String(row.id), row]));
    return ids.map((id) => {
      const row = byId.get(id)!;
      return { event: this.toEntity(row), dueInMs: Number(row.due_in_ms) };
    });
  }

  findById(id: string): Promise<Event | null> {
    return this.dataSource.getRepository(Event).findOneBy({ id });
  }

  /** A page of events, newest first, whose payloads are read as it is consumed. */
  page(filter: EventListFilter): Promise<BoundedPage<Event>> {
    const qb = this.dataSource.getRepository(Event).createQueryBuilder('e');
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
