import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DeliveriesService } from '@app/domain';
import { ApiError } from '../errors/api-error';
import { isUuid } from '../validation/validators';
import { scopeOf } from './request-scope';

/**
 * A webhook pointed at this API (its own delivery's `/redeliver`, `/v1/deliveries`, …)
 * would create a delivery with every attempt, which creates another: a loop that only
 * ends when someone deactivates it. Every delivery this postmand sends carries its
 * delivery id as `webhook-id`, so a create (POST) that carries one of this database's
 * own delivery ids is such a request and is refused. Ids of another postmand, or of a
 * delivery since deleted, are let through. Looked for in the request's scope: a portal
 * session must not learn whether another tenant's delivery id exists (its own
 * deliveries, the only ones it could loop through, are still found).
 */
@Injectable()
export class DeliveryLoopGuard implements CanActivate {
  constructor(private readonly deliveries: DeliveriesService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const id = req.headers['webhook-id'];
    if (req.method !== 'POST' || !isUuid(id)) return true;
    if (await this.deliveries.isOwnDelivery(scopeOf(req), id.toLowerCase())) {
      throw ApiError.validation([
        ['webhook-id', 'delivery loop: this request is a delivery sent by this postmand'],
      ]);
    }
    return true;
  }
}
