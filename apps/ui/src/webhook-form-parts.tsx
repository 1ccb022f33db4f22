import { ApiFailure, type Webhook } from './api/client';

/**
 * What the dashboard's webhook form and the portal's endpoint form share besides their
 * fields (pages/webhook-fields.tsx): the failure summary above the form, and the check
 * that keeps a PUT, a full replacement, from overwriting a change made meanwhile.
 */

/**
 * Throws a 409 when the webhook read now differs from the one a form was filled from:
 * another edit, a rotated secret, or postmand disabling it. A PUT would replace that
 * change with what the form remembers.
 */
export function assertUnchanged(
  was: Webhook,
  now: Webhook,
  words = { noun: 'webhook', since: 'this form was filled', then: 'edit again' },
): void {
  if (
    now.updated_at !== was.updated_at ||
    now.active !== was.active ||
    now.disabled_reason !== was.disabled_reason
  ) {
    throw new ApiFailure(
      409,
      undefined,
      `This ${words.noun} changed after ${words.since} (an edit, a rotated secret, or postmand disabling it). Reload the page to see the change, then ${words.then}.`,
    );
  }
}

/** The API's refusal above a form: its message, and each field named with its reason. */
export function FormFailure({ failure }: { failure: ApiFailure | undefined }) {
  if (!failure) return null;
  const errors = failure.fieldErrors();
  return (
    <div class="error" role="alert">
      <strong>{failure.body?.message ?? failure.message}</strong>
      {Object.keys(errors).length ? (
        <ul>
          {Object.entries(errors).map(([field, reason]) => (
            <li key={field}>
              <code>{field}</code> {reason}
            </li>
          ))}
        </ul>
      ) : failure.body?.details ? (
        <span>: {failure.body.details}</span>
      ) : null}
    </div>
  );
}

/** After a refused submit, focus goes to the first field the API named. */
export function focusFirstInvalid(): void {
  window.setTimeout(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}
