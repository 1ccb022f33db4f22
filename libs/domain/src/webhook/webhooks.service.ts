import { Injectable } from '@nestjs/common';
import { retryOnConflict } from '../common/conflict-retry';
import { NotFoundError } from '../common/domain-errors';
import type { UnitOfWork } from '../common/unit-of-work';
import type { ListPage } from '../common/list-query';
import type { Webhook } from './webhook.entity';
import { WebhookRepository, type WebhookInput, type WebhookListFilter } from './webhook.repository';
import { generateSecretToken, SECRET_ROTATION, WEBHOOK_DEFAULTS } from './webhook.rules';

/** A webhook as a client writes it: the optional fields may be left out (undefined). */
export type WebhookDraft = Pick<WebhookInput, 'name' | 'url' | 'contentType' | 'validStatusCodes'> &
  Partial<WebhookInput>;

/** The rules of webhooks: defaults for what a POST or PUT leaves out, "not found". */
@Injectable()
export class WebhooksService {
  constructor(private readonly webhooks: WebhookRepository) {}

  create(draft: WebhookDraft, uow?: UnitOfWork): Promise<Webhook> {
    return this.webhooks.create(withDefaults(draft), uow);
  }

  list(filter: WebhookListFilter): Promise<ListPage<Webhook>> {
    return this.webhooks.list(filter);
  }

  async get(id: string): Promise<Webhook> {
    return (await this.webhooks.findById(id)) ?? notFound();
  }

  /** PUT is a full replacement: what the draft leaves out takes its default. */
  async replace(id: string, draft: WebhookDraft): Promise<Webhook> {
    return (await this.webhooks.replace(id, withDefaults(draft))) ?? notFound();
  }

  /**
   * §9: a new signing secret (given, or a new `whsec_` one); the old one keeps signing
   * beside it for the grace period (default a day), so receivers can switch without
   * refusing a delivery.
   */
  async rotateSecret(
    id: string,
    options: { secretToken?: string; gracePeriod?: number } = {},
  ): Promise<Webhook> {
    const rotated = await this.webhooks.rotateSecret(
      id,
      options.secretToken ?? generateSecretToken(),
      options.gracePeriod ?? SECRET_ROTATION.gracePeriod.default,
    );
    return rotated ?? notFound();
  }

  /**
   * Deletes it with its deliveries and attempts. The delete locks the webhook, then its
   * deliveries; a worker recording outcomes may hold some of those and wait for the
   * webhook: PostgreSQL breaks such a deadlock by failing one side, and this side tries
   * again (one statement, nothing else to undo).
   */
  async delete(id: string): Promise<void> {
    if (!(await retryOnConflict(() => this.webhooks.delete(id)))) notFound();
  }
}

function notFound(): never {
  throw new NotFoundError('webhook');
}

/** The draft with every optional field that is missing (or null) set to its default. */
function withDefaults(draft: WebhookDraft): WebhookInput {
  return {
    name: draft.name,
    url: draft.url,
    contentType: draft.contentType,
    validStatusCodes: draft.validStatusCodes,
    secretToken: draft.secretToken ?? WEBHOOK_DEFAULTS.secretToken,
    active: draft.active ?? WEBHOOK_DEFAULTS.active,
    maxDeliveryAttempts: draft.maxDeliveryAttempts ?? WEBHOOK_DEFAULTS.maxDeliveryAttempts,
    deliveryAttemptTimeout: draft.deliveryAttemptTimeout ?? WEBHOOK_DEFAULTS.deliveryAttemptTimeout,
    retryMinBackoff: draft.retryMinBackoff ?? WEBHOOK_DEFAULTS.retryMinBackoff,
    retryMaxBackoff: draft.retryMaxBackoff ?? WEBHOOK_DEFAULTS.retryMaxBackoff,
    eventTypes: draft.eventTypes ?? [...WEBHOOK_DEFAULTS.eventTypes],
    maxConcurrency: draft.maxConcurrency ?? WEBHOOK_DEFAULTS.maxConcurrency,
    rateLimit: draft.rateLimit ?? WEBHOOK_DEFAULTS.rateLimit,
    ordering: draft.ordering ?? WEBHOOK_DEFAULTS.ordering,
  };
}
