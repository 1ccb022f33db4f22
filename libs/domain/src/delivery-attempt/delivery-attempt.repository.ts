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
import { DeliveryAttempt } from './delivery-attempt.entity';

export interface DeliveryAttemptListFilter extends Page {
  webhookId?: string;
  deliveryId?: string;
  success?: boolean;
  createdAt?: CreatedAtRange;
}

/**
 * Attempts are written by the worker together with their delivery; the API only reads,
 * through the view `delivery_attempts_full`, which puts back the request body an attempt
 * left out because it is its delivery's payload.
 */
@Injectable()
export class DeliveryAttemptRepository {
  constructor(private readonly dataSource: DataSource) {}

  findById(id: string): Promise<DeliveryAttempt | null> {
    return this.dataSource.getRepository(DeliveryAttempt).findOneBy({ id });
  }

  /** A page of attempts, newest first, whose raw exchanges are read as it is consumed. */
  page(filter: DeliveryAttemptListFilter): Promise<BoundedPage<DeliveryAttempt>> {
    const qb = this.dataSource.getRepository(DeliveryAttempt).createQueryBuilder('a');
    if (filter.webhookId) qb.andWhere('a.webhook_id = :webhookId', { webhookId: filter.webhookId });
    if (filter.deliveryId) {
      qb.andWhere('a.delivery_id = :deliveryId', { deliveryId: filter.deliveryId });
    }
    if (filter.success !== undefined)
      qb.andWhere('a.success = :success', { success: filter.success });
    whereCreatedAt(qb, 'a', filter.createdAt);
    return BoundedPage.load(
      this.dataSource,
      newestFirst(qb, 'a', filter),
      'a',
      ['rawRequest', 'rawResponse'],
      {
        limit: filter.limit,
        cursorOf: newestFirstCursor('delivery_attempts'),
        // The view's size of the whole request, without putting the payload into it.
        bytes: 'a.raw_request_bytes + octet_length(a.raw_response)',
      },
    );
  }
}
