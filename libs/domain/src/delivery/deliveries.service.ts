import { Inject, Injectable } from '@nestjs/common';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import type { BoundedPage } from '../common/bounded-page';
import { NotFoundError, PayloadTooLargeError, TooManyMatchesError } from '../common/domain-errors';
import { afterCommit, type UnitOfWork } from '../common/unit-of-work';
import type { Scope } from '../tenant/scope';
import { DeliveryWaker } from './delivery-waker';
import type { Delivery } from './delivery.entity';
import {
  BULK_REDELIVER_LIMIT,
  DeliveryRepository,
  type RedeliverFilter,
  type DeliveryInput,
  type DeliveryListFilter,
} from './delivery.repository';

/**
 * The rules of deliveries: the payload limit, "not found", and waking the workers once a
 * new delivery is committed (LISTEN/NOTIFY, coalesced by the waker).
 */
@Injectable()
export class DeliveriesService {
  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly waker: DeliveryWaker,
    @Inject(POSTMAND_CONFIG) private readonly config: PostmandConfig,
  ) {}

  /** A pending delivery for an existing webhook, at once or at `scheduledAt`. */
  async create(input: DeliveryInput, uow?: UnitOfWork): Promise<Delivery> {
    PayloadTooLargeError.check(input.payload, this.config.maxPayloadBytes);
    const created = await this.deliveries.create(input, uow);
    if (!created) throw new NotFoundError('webhook');
    afterCommit(uow, () => this.waker.notify(created.dueInMs));
    return created.delivery;
  }

  /** A new pending delivery with the same webhook and payload, due now. */
  async redeliver(scope: Scope, id: string, uow?: UnitOfWork): Promise<Delivery> {
    const created = await this.deliveries.redeliver(scope, id, uow);
    if (!created) throw new NotFoundError('delivery');
    afterCommit(uow, () => this.waker.notify(created.dueInMs));
    return created.delivery;
  }

  /**
   * Bulk redeliver (§7): how many deliveries match `filter` and, unless `dryRun`, a new
   * pending delivery for each; more than BULK_REDELIVER_LIMIT matches is refused whole.
   */
  async redeliverMatching(
    scope: Scope,
    filter: RedeliverFilter,
    dryRun: boolean,
    uow?: UnitOfWork,
  ): Promise<number> {
    const { matched, created } = await this.deliveries.redeliverMatching(
      scope,
      filter,
      dryRun,
      uow,
    );
    if (matched > BULK_REDELIVER_LIMIT) throw new TooManyMatchesError(BULK_REDELIVER_LIMIT);
    if (created > 0) afterCommit(uow, () => this.waker.notify(0));
    return matched;
  }

  async get(scope: Scope, id: string): Promise<Delivery> {
    const delivery = await this.deliveries.findById(scope, id);
    if (!delivery) throw new NotFoundError('delivery');
    return delivery;
  }

  page(scope: Scope, filter: DeliveryListFilter): Promise<BoundedPage<Delivery>> {
    return this.deliveries.page(scope, filter);
  }

  /** Deletes it with its attempts. */
  async delete(id: string): Promise<void> {
    if (!(await this.deliveries.delete(id))) throw new NotFoundError('delivery');
  }

  /**
   * Whether `id` names a delivery of this database: a request that carries one as its
   * `webhook-id` was sent by this postmand (a webhook pointed at its own API).
   * In the caller's scope: the platform's finds any tenant's, a session only its own.
   */
  isOwnDelivery(scope: Scope, id: string): Promise<boolean> {
    return this.deliveries.exists(scope, id);
  }
}
