import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BoundedPage } from '../common/bounded-page';
import { newestFirst, whereCreatedAt, type CreatedAtRange, type Page } from '../common/list-query';
import { rowToEntity, timeParam, type Row } from '../common/rows';
import type { UnitOfWork } from '../common/unit-of-work';
import { Event } from './event.entity';
import { matchingPatterns } from './event-type.rules';

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

@Injectable()
export class EventRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores the event and one delivery per matching webhook in one statement, so they
   * commit together and see the same webhooks. A webhook matches when one of its
   * patterns is one of those that match this type (`order.item.added` →
   * {order.item.added, order.*, order.item.*, *}): an index-only scan of
   * webhook_event_types, the patterns one row each (kept by a trigger on webhooks).
   */
  async publish(input: EventInput, uow?: UnitOfWork): Promise<PublishedEvent> {
    const rows = await (uow?.sql ?? this.dataSource).query<Row[]>(
      `WITH matched AS MATERIALIZED (
         SELECT DISTINCT webhook_id AS id FROM webhook_event_types WHERE pattern = ANY($5::text[])
       ),
       event AS (
         INSERT INTO events (id, event_type, payload, scheduled_at, delivery_count)
         SELECT $1, $2, $3, coalesce($4::timestamptz, now()), count(*) FROM matched
         RETURNING *
       ),
       fanned AS (
         INSERT INTO deliveries (id, webhook_id, payload, scheduled_at, event_id, event_type)
         SELECT gen_random_uuid(), m.id, $3, e.scheduled_at, e.id, e.event_type
         FROM matched m CROSS JOIN event e
       )
       SELECT e.*,
              floor(greatest(0, extract(epoch FROM e.scheduled_at - now()) * 1000))::bigint AS due_in_ms
       FROM event e`,
      [
        randomUUID(),
        input.eventType,
        input.payload,
        timeParam(input.scheduledAt),
        matchingPatterns(input.eventType),
      ],
    );
    return { event: this.toEntity(rows[0]), dueInMs: Number(rows[0].due_in_ms) };
  }

  findById(id: string): Promise<Event | null> {
    return this.dataSource.getRepository(Event).findOneBy({ id });
  }

  /** A page of events, newest first, whose payloads are read as it is consumed. */
  page(filter: EventListFilter): Promise<BoundedPage<Event>> {
    const qb = this.dataSource.getRepository(Event).createQueryBuilder('e');
    if (filter.eventType) qb.andWhere('e.event_type = :eventType', { eventType: filter.eventType });
    whereCreatedAt(qb, 'e', filter.createdAt);
    return BoundedPage.load(this.dataSource, newestFirst(qb, 'e', filter), 'e', ['payload']);
  }

  private toEntity(row: Row): Event {
    return rowToEntity(this.dataSource, Event, row);
  }
}
