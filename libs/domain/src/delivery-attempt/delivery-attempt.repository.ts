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
import type { Scope } from '../tenant/scope';
import { whereScope, whereTenant } from '../tenant/scope.sql';
import { DeliveryAttempt } from './delivery-attempt.entity';

export interface DeliveryAttemptListFilter extends Page {
  webhookId?: string;
  deliveryId?: string;
  success?: boolean;
  tenantId?: string;
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

  /** Null when unknown or outside `scope`: another tenant's attempt is an unknown one. */
  findById(scope: Scope, id: string): Promise<DeliveryAttempt | null> {
    const qb = this.dataSource.getRepository(DeliveryAttempt).createQueryBuilder('a');
    return whereScope(qb.where('a.id = :id', { id }), 'a', scope).getOne();
  }

  /**
   * A page of attempts within `scope`, newest first, whose raw exchanges are read as it is
   * consumed.
   */
  page(scope: Scope, filter: DeliveryAttemptListFilter): Promise<BoundedPage<DeliveryAttempt>> {
    const qb = this.dataSource.getRepository(DeliveryAttempt).createQueryBuilder('a');
    whereScope(qb, 'a', scope);
    whereTenant(qb, 'a', filter.tenantId);
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
