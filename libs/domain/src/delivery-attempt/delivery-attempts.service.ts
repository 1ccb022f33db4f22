import { Injectable } from '@nestjs/common';
import type { BoundedPage } from '../common/bounded-page';
import { NotFoundError } from '../common/domain-errors';
import type { Scope } from '../tenant/scope';
import type { DeliveryAttempt } from './delivery-attempt.entity';
import {
  DeliveryAttemptRepository,
  type DeliveryAttemptListFilter,
} from './delivery-attempt.repository';

/** Attempts are written by the worker with their delivery; clients only read them. */
@Injectable()
export class DeliveryAttemptsService {
  constructor(private readonly attempts: DeliveryAttemptRepository) {}

  async get(scope: Scope, id: string): Promise<DeliveryAttempt> {
    const attempt = await this.attempts.findById(scope, id);
    if (!attempt) throw new NotFoundError('delivery attempt');
    return attempt;
  }

  page(scope: Scope, filter: DeliveryAttemptListFilter): Promise<BoundedPage<DeliveryAttempt>> {
    return this.attempts.page(scope, filter);
  }
}
