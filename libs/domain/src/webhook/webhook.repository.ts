import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { whereCreatedAt, type CreatedAtRange, type Page } from '../common/list-query';
import { rowToEntity, type Row } from '../common/rows';
import { Webhook } from './webhook.entity';

/** Everything a client sets on a webhook; the rest (id, times) is the service's. */
export type WebhookInput = Pick<
  Webhook,
  | 'name'
  | 'url'
  | 'contentType'
  | 'validStatusCodes'
  | 'secretToken'
  | 'active'
  | 'maxDeliveryAttempts'
  | 'deliveryAttemptTimeout'
  | 'retryMinBackoff'
  | 'retryMaxBackoff'
>;

export interface WebhookListFilter extends Page {
  active?: boolean;
  createdAt?: CreatedAtRange;
}

const COLUMNS = `name, url, content_type, valid_status_codes, secret_token, active,
  max_delivery_attempts, delivery_attempt_timeout, retry_min_backoff, retry_max_backoff`;

function values(input: WebhookInput): unknown[] {
  return [
    input.name,
    input.url,
    input.contentType,
    input.validStatusCodes,
    input.secretToken,
    input.active,
    input.maxDeliveryAttempts,
    input.deliveryAttemptTimeout,
    input.retryMinBackoff,
    input.retryMaxBackoff,
  ];
}

@Injectable()
export class WebhookRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(input: WebhookInput): Promise<Webhook> {
    const rows = await this.dataSource.query<Row[]>(
      `INSERT INTO webhooks (id, ${COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       RETURNING *`,
      [randomUUID(), ...values(input)],
    );
    return rowToEntity(this.dataSource, Webhook, rows[0]);
  }

  findById(id: string): Promise<Webhook | null> {
    return this.dataSource.getRepository(Webhook).findOneBy({ id });
  }

  /** Ordered by name, then id: stable pages for a list that people read. */
  list(filter: WebhookListFilter): Promise<Webhook[]> {
    const qb = this.dataSource.getRepository(Webhook).createQueryBuilder('w');
    if (filter.active !== undefined) qb.andWhere('w.active = :active', { active: filter.active });
    whereCreatedAt(qb, 'w', filter.createdAt);
    return qb
      .orderBy('w.name', 'ASC')
      .addOrderBy('w.id', 'ASC')
      .limit(filter.limit)
      .offset(filter.offset)
      .getMany();
  }

  /** Full replacement (PUT). Null when no such webhook. */
  async replace(id: string, input: WebhookInput): Promise<Webhook | null> {
    const [rows] = await this.dataSource.query<[Row[], number]>(
      `UPDATE webhooks SET (${COLUMNS}, updated_at) =
         ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
       WHERE id = $1
       RETURNING *`,
      [id, ...values(input)],
    );
    return rows.length > 0 ? rowToEntity(this.dataSource, Webhook, rows[0]) : null;
  }

  /** Deletes the webhook with its deliveries and attempts (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    const [, count] = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM webhooks WHERE id = $1`,
      [id],
    );
    return count > 0;
  }
}
