import { Injectable } from '@nestjs/common';
import type { BoundedPage } from '../common/bounded-page';
import { NotFoundError } from '../common/domain-errors';
import type { DeliveryAttempt } from './delivery-attempt.entity';
import {
  DeliveryAttemptRepository,
  type DeliveryAttemptListFilter,
} from './delivery-attempt.repository';

/** Attempts are written by the worker with their delivery; clients only read them. */
@Injectable()
export class DeliveryAttemptsService {
  constructor(private readonly attempts: DeliveryAttemptRepository) {}

  async get(id: string): Promise<DeliveryAttempt> {
    const attempt = await this.attempts.findById(id);
    if (!attempt) throw new NotFoundError('delivery attempt');
    return attempt;
  }

  page(filter: DeliveryAttemptListFilter): Promise<BoundedPage<DeliveryAttempt>> {
    return this.attempts.page(filter);
  }
}
