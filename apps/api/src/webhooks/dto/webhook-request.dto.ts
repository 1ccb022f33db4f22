import { backoffOrderProblem, type WebhookDraft } from '@app/domain';
import type { CrossFieldRules } from '../../validation/validation.pipe';
import { toDraft, WebhookRequestFields } from './webhook-fields';
import { OptionalTenantId } from '../../tenants/dto/tenant-id.property';

/**
 * A webhook as clients send it (POST and PUT alike): the fields of WEBHOOK_FIELDS, each
 * with the validation and schema webhook-fields.ts makes of it. Read-only fields such as
 * `id` or `created_at` are ignored, so a client may PUT back what it GOT; any other
 * unknown field is refused; an optional field left out (or null) takes its default.
 */
export class WebhookRequestDto extends WebhookRequestFields implements CrossFieldRules {
  static readonly readOnlyFields = ['id', 'created_at', 'updated_at', 'circuit', 'disabled_reason'];

  // Not one of WEBHOOK_FIELDS: those are set on every write and take a default when left
  // out, where this one is fixed at creation and a PUT that leaves it out keeps it.
  /**
   * The tenant (§11) that owns the webhook: it receives only that tenant's events. Null
   * or left out on create: the platform's own webhook. Fixed at creation: a PUT may leave
   * it out or repeat it; another value is a 400. An unknown tenant is a 404 code 16.
   * @example "acme"
   */
  @OptionalTenantId()
  tenant_id?: string | null;

  crossFieldProblems(failed: Set<string>): [string, string][] {
    if (failed.has('retry_min_backoff') || failed.has('retry_max_backoff')) return [];
    const problem = backoffOrderProblem(this.retry_min_backoff, this.retry_max_backoff);
    return problem ? [['retry_max_backoff', problem]] : [];
  }

  /** What the client wrote; the service fills in the defaults of what it left out. */
  toDraft(): WebhookDraft {
    return { ...toDraft(this), tenantId: this.tenant_id };
  }
}
