import type { Client } from 'openapi-fetch';
import { ApiFailure, unwrap, type Webhook, type WebhookRequest } from './api/client';
import type { paths } from './api/schema';

/**
 * What the dashboard's webhook form and the portal's endpoint form share besides their
 * fields (pages/webhook-fields.tsx): the failure summary above the form, and the check
 * that keeps a PUT, a full replacement, from overwriting a change made meanwhile.
 */

/** How a refusal names what was changed: "This endpoint changed after this page was loaded…". */
export interface ChangeWords {
  noun: string;
  since: string;
  then: string;
  /**
   * The form does not show the signing secret, so a refusal of it (a secret accepted
   * before v3 that today's rules refuse, sent back unchanged) says to rotate it first.
   */
  secretHidden?: boolean;
}

export const WEBHOOK_FORM_WORDS: ChangeWords = {
  noun: 'webhook',
  since: 'this form was filled',
  then: 'edit again',
};

/**
 * Throws a 409 when the webhook read now differs from the one a form was filled from:
 * another edit, a rotated secret, or postmand disabling it. A PUT would replace that
 * change with what the form remembers.
 */
function assertUnchanged(was: Webhook, now: Webhook, words: ChangeWords): void {
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

/**
 * A webhook's writable fields as GOT, for a PUT that keeps them: the whole webhook, since
 * the API ignores its read-only fields (SPEC §3), so a field this UI does not know of
 * (`auth`, whose write-only secrets a PUT leaving them out keeps, `headers`, …) passes
 * through untouched.
 */
export function requestFrom(w: Webhook): WebhookRequest {
  return { ...w };
}

/**
 * Replaces webhook `was.id` (a PUT, a full replacement) with `body(now)`, `now` being it
 * as read just before, unless it changed since `was` was read (409, see assertUnchanged).
 * `body` builds on `requestFrom(now)`, so what the caller does not set is kept.
 */
export async function putIfUnchanged(
  client: Client<paths>,
  was: Webhook,
  body: (now: Webhook) => WebhookRequest,
  words: ChangeWords,
): Promise<Webhook> {
  const path = { params: { path: { id: was.id } } };
  const now = await unwrap(client.GET('/v1/webhooks/{id}', path));
  assertUnchanged(was, now, words);
  try {
    return await unwrap(client.PUT('/v1/webhooks/{id}', { ...path, body: body(now) }));
  } catch (err) {
    if (words.secretHidden && err instanceof ApiFailure && err.fieldErrors().secret_token) {
      throw new ApiFailure(
        err.status,
        undefined,
        `This ${words.noun}’s signing secret was accepted by an older version of postmand ` +
          'and is refused today, so it cannot be saved as it is. Rotate the secret first ' +
          `(under “Signing secret” on the ${words.noun}’s page), then ${words.then}.`,
      );
    }
    throw err;
  }
}

/**
 * Throws a 409 when the item read now was updated after the one a form was filled from:
 * a PUT, a full replacement, would overwrite that change (best effort: the API has no
 * conditional PUT, so a change between this look and the PUT is not seen).
 */
export function refuseIfChanged(was: string, now: string, noun: string): void {
  if (now !== was) {
    throw new ApiFailure(
      409,
      undefined,
      `This ${noun} changed after this form was filled. Reload the page to see the change, then edit again.`,
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
