import { Injectable } from '@nestjs/common';
import { retryOnConflict } from '../common/conflict-retry';
import { NotFoundError } from '../common/domain-errors';
import type { UnitOfWork } from '../common/unit-of-work';
import type { Scope } from '../tenant/scope';
import type { ListPage } from '../common/list-query';
import type { Webhook } from './webhook.entity';
import { WebhookRepository, type WebhookInput, type WebhookListFilter } from './webhook.repository';
import { WEBHOOK_FIELD_ENTRIES, type RequiredWebhookField } from './webhook.fields';
import { generateSecretToken, SECRET_ROTATION } from './webhook.rules';

/**
 * A webhook as a client writes it: the optional fields may be left out (undefined). Its
 * tenant (§11) is not one of them: it has no default on a PUT, where leaving it out keeps
 * the webhook's (it is fixed at creation); on a POST, null or left out is the platform.
 */
export type WebhookDraft = Pick<WebhookInput, RequiredWebhookField> &
  Partial<WebhookInput> & { tenantId?: string | null };

/**
 * The rules of webhooks: defaults for what a POST or PUT leaves out, "not found". Every
 * operation on existing webhooks takes the caller's scope: another tenant's webhook is
 * "not found" exactly as an unknown one.
 */
@Injectable()
export class WebhooksService {
  constructor(private readonly webhooks: WebhookRepository) {}

  /**
   * A tenant's webhook needs the tenant (404 code 16) and room under its `max_webhooks`
   * (409 code 17), both checked where it is inserted (WebhookRepository.create).
   */
  create(draft: WebhookDraft, uow?: UnitOfWork): Promise<Webhook> {
    return this.webhooks.create({ ...withDefaults(draft), tenantId: draft.tenantId }, uow);
  }

  list(scope: Scope, filter: WebhookListFilter): Promise<ListPage<Webhook>> {
    return this.webhooks.list(scope, filter);
  }

  async get(scope: Scope, id: string): Promise<Webhook> {
    return (await this.webhooks.findById(scope, id)) ?? notFound();
  }

  /**
   * PUT is a full replacement: what the draft leaves out takes its default, except the
   * tenant, which is kept (a draft naming another is refused: FixedFieldError).
   */
  async replace(scope: Scope, id: string, draft: WebhookDraft): Promise<Webhook> {
    const input = { ...withDefaults(draft), tenantId: draft.tenantId };
    return (await this.webhooks.replace(scope, id, input)) ?? notFound();
  }

  /**
   * §9: a new signing secret (given, or a new `whsec_` one); the old one keeps signing
   * beside it for the grace period (default a day), so receivers can switch without
   * refusing a delivery.
   */
  async rotateSecret(
    scope: Scope,
    id: string,
    options: { secretToken?: string; gracePeriod?: number } = {},
  ): Promise<Webhook> {
    const rotated = await this.webhooks.rotateSecret(
      scope,
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
  async delete(scope: Scope, id: string): Promise<void> {
    if (!(await retryOnConflict(() => this.webhooks.delete(scope, id)))) notFound();
  }
}

function notFound(): never {
  throw new NotFoundError('webhook');
}

/** The draft with every optional field that is missing (or null) set to its default. */
function withDefaults(draft: WebhookDraft): WebhookInput {
  const input: Record<string, unknown> = {};
  for (const [field, spec] of WEBHOOK_FIELD_ENTRIES) {
    // A default array is copied: the input is the caller's to change.
    const fallback: unknown = spec.default;
    input[field] = draft[field] ?? (Array.isArray(fallback) ? Array.from(fallback) : fallback);
  }
  return input as WebhookInput;
}
