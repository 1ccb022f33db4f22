import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { newestFirst, whereCreatedAt, type CreatedAtRange, type Page } from '../common/list-query';
import { BoundedPage } from '../common/bounded-page';
import { rowToEntity, type Row } from '../common/rows';
import { Delivery, type DeliveryStatus } from './delivery.entity';

export interface DeliveryInput {
  webhookId: string;
  payload: string;
  /** First attempt not before this time (a Date or RFC 3339 text); now when omitted. */
  scheduledAt?: Date | string;
}

export interface DeliveryListFilter extends Page {
  webhookId?: string;
  status?: DeliveryStatus;
  createdAt?: CreatedAtRange;
}

/** A delivery just inserted, and how many milliseconds until it is due (0: now). */
export interface CreatedDelivery {
  delivery: Delivery;
  dueInMs: number;
}

/** Milliseconds until the new row is due, by the database's clock. */
const DUE_IN_MS = `floor(greatest(0, extract(epoch FROM scheduled_at - now()) * 1000))::bigint AS due_in_ms`;

@Injectable()
export class DeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts a pending delivery for an existing webhook, in one statement: null when the
   * webhook does not exist (no window between a check and the insert).
   */
  async create(input: DeliveryInput): Promise<CreatedDelivery | null> {
    const rows = await this.dataSource.query<Row[]>(
      `INSERT INTO deliveries (id, webhook_id, payload, scheduled_at)
       SELECT $1, w.id, $3, coalesce($4::timestamptz, now())
       FROM webhooks w WHERE w.id = $2
       RETURNING *, ${DUE_IN_MS}`,
      [randomUUID(), input.webhookId, input.payload, input.scheduledAt ?? null],
    );
    return this.created(rows);
  }

  /** A new pending delivery with the same webhook and payload; null when `id` is unknown. */
  async redeliver(id: string): Promise<CreatedDelivery | null> {
    const rows = await this.dataSource.query<Row[]>(
      `INSERT INTO deliveries (id, webhook_id, payload)
       SELECT $1, d.webhook_id, d.payload FROM deliveries d WHERE d.id = $2
       RETURNING *, ${DUE_IN_MS}`,
      [randomUUID(), id],
    );
    return this.created(rows);
  }

  /** Whether a delivery with this id exists (an index probe; nothing is read). */
  async exists(id: string): Promise<boolean> {
    const rows = await this.dataSource.query<Row[]>(`SELECT 1 FROM deliveries WHERE id = $1`, [id]);
    return rows.length > 0;
  }

  findById(id: string): Promise<Delivery | null> {
    return this.dataSource.getRepository(Delivery).findOneBy({ id });
  }

  /** A page of deliveries, newest first, whose payloads are read as it is consumed. */
  page(filter: DeliveryListFilter): Promise<BoundedPage<Delivery>> {
    const qb = this.dataSource.getRepository(Delivery).createQueryBuilder('d');
    if (filter.webhookId) qb.andWhere('d.webhook_id = :webhookId', { webhookId: filter.webhookId });
    if (filter.status) qb.andWhere('d.status = :status', { status: filter.status });
    whereCreatedAt(qb, 'd', filter.createdAt);
    return BoundedPage.load(this.dataSource, newestFirst(qb, 'd', filter), 'd', ['payload']);
  }

  /** Deletes the delivery with its attempts (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    const [, count] = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM deliveries WHERE id = $1`,
      [id],
    );
    return count > 0;
  }

  private created(rows: Row[]): CreatedDelivery | null {
    if (rows.length === 0) return null;
    return { delivery: this.toEntity(rows[0]), dueInMs: Number(rows[0].due_in_ms) };
  }

  private toEntity(row: Row): Delivery {
    return rowToEntity(this.dataSource, Delivery, row);
  }
}
