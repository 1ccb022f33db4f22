import { backoffOrderProblem, type WebhookDraft } from '@app/domain';
import type { CrossFieldRules } from '../../validation/validation.pipe';
import { toDraft, WebhookRequestFields } from './webhook-fields';

/**
 * A webhook as clients send it (POST and PUT alike): the fields of WEBHOOK_FIELDS, each
 * with the validation and schema webhook-fields.ts makes of it. Read-only fields such as
 * `id` or `created_at` are ignored, so a client may PUT back what it GOT; any other
 * unknown field is refused; an optional field left out (or null) takes its default.
 */
export class WebhookRequestDto extends WebhookRequestFields implements CrossFieldRules {
  static readonly readOnlyFields = ['id', 'created_at', 'updated_at', 'circuit', 'disabled_reason'];

  crossFieldProblems(failed: Set<string>): [string, string][] {
    if (failed.has('retry_min_backoff') || failed.has('retry_max_backoff')) return [];
    const problem = backoffOrderProblem(this.retry_min_backoff, this.retry_max_backoff);
    return problem ? [['retry_max_backoff', problem]] : [];
  }

  /** What the client wrote; the service fills in the defaults of what it left out. */
  toDraft(): WebhookDraft {
    return toDraft(this);
  }
}
