import { useEffect, useState } from 'preact/hooks';
import { idempotencyKey, unwrap, type ApiFailure, type WebhookRequest } from '../api/client';
import { schemaProperties } from '../api/openapi';
import { asFailure, ErrorBox, Loading, Page, useResource } from '../components';
import {
  FieldInput,
  newTexts,
  requestOf,
  textsOf,
  withEveryField,
  type FieldName,
  type FormFieldEntry,
  type Texts,
} from '../pages/webhook-fields';
import {
  focusFirstInvalid,
  FormFailure,
  putIfUnchanged,
  requestFrom,
  type ChangeWords,
} from '../webhook-form-parts';
import { eventTypePicker } from '../event-type-picker';
import { usePortal } from './context';
import { portalApi } from './session';

/**
 * The endpoint form's fields: webhook fields (their label, hint and type are the
 * dashboard's, pages/webhook-fields.tsx), each with the input that shows it where the
 * plain one will not do. A field the portal offers is one entry here; what it leaves out
 * keeps its value on an edit and its default on a create. `tenant_id` is never one: the
 * session's tenant owns what it creates.
 */
export const ENDPOINT_FIELDS: FormFieldEntry[] = [
  { name: 'url' },
  { name: 'name' },
  // The catalogue's types with their descriptions (§14), or free patterns without one.
  { name: 'event_types', Input: eventTypePicker(portalApi) },
  { name: 'filter' },
  { name: 'active' },
];

/**
 * A new signing secret, `whsec_` + standard base64 of 32 random bytes (Standard Webhooks),
 * the form the API's rotate-secret makes: an endpoint made in the portal is signed from its
 * first delivery (the API's default for a create is unsigned).
 */
function newSigningSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

/** How the portal's refusals name an endpoint; its forms never show the secret. */
export const ENDPOINT_WORDS: ChangeWords = {
  noun: 'endpoint',
  since: 'this form was filled',
  then: 'edit again',
  secretHidden: true,
};

/** The fields this form shows, out of a full request: an edit sends only these of its own. */
function shownFields(request: WebhookRequest): Partial<WebhookRequest> {
  return Object.fromEntries(ENDPOINT_FIELDS.map(({ name }) => [name, request[name]]));
}

/** Creates an endpoint (no `id`) or edits one; then shows it. */
export function EndpointForm({ id }: { id?: string }) {
  const portal = usePortal();
  const existing = useResource(
    async () =>
      id ? unwrap(portalApi.GET('/v1/webhooks/{id}', { params: { path: { id } } })) : undefined,
    [id],
  );
  // Each field's type, limits and default, as the API describes them.
  const schema = useResource(() => schemaProperties('WebhookRequestDto').then(withEveryField), []);
  const [texts, setTexts] = useState<Texts>();
  const [failure, setFailure] = useState<ApiFailure>();
  const [saving, setSaving] = useState(false);
  // One key for this form: a create retried after a lost answer is not made twice.
  const [key] = useState(idempotencyKey);

  useEffect(() => {
    if (existing.data) setTexts(textsOf(existing.data));
    else if (!id && schema.data) {
      setTexts((t) => t ?? { ...newTexts(schema.data!), secret_token: newSigningSecret() });
    }
  }, [existing.data, schema.data]);

  const errors = failure?.fieldErrors() ?? {};
  const set = (name: FieldName, value: string | boolean) =>
    setTexts((t) => t && { ...t, [name]: value });

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!texts || !schema.data) return;
    setSaving(true);
    setFailure(undefined);
    try {
      const body = requestOf(texts, schema.data);
      let webhook;
      if (id && existing.data) {
        // PUT replaces the whole endpoint: not over a change made since the form was filled,
        // and what the form does not show is sent back as it is now.
        const own = shownFields(body);
        webhook = await putIfUnchanged(
          portalApi,
          existing.data,
          (now) => ({ ...requestFrom(now), ...own }),
          ENDPOINT_WORDS,
        );
      } else {
        webhook = await unwrap(
          portalApi.POST('/v1/webhooks', { body, headers: { 'Idempotency-Key': key } }),
        );
      }
      portal.go({ page: 'endpoint', id: webhook.id });
    } catch (err) {
      setFailure(asFailure(err));
      focusFirstInvalid();
    } finally {
      setSaving(false);
    }
  };

  const back = () => portal.go(id ? { page: 'endpoint', id } : { page: 'endpoints' });
  const title = id
    ? existing.data
      ? `Edit “${existing.data.name}”`
      : 'Edit endpoint'
    : 'New endpoint';
  const broken = (existing.error && !existing.data) || (schema.error && !schema.data);
  return (
    <Page title={title} site={null}>
      {broken ? (
        <ErrorBox error={existing.error ?? schema.error} />
      ) : (
        <Loading when={!texts || !schema.data} />
      )}
      {texts && schema.data ? (
        <form class="form" onSubmit={(e) => void submit(e)} noValidate>
          <FormFailure failure={failure} />
          <fieldset>
            <legend>Endpoint</legend>
            {ENDPOINT_FIELDS.map(({ name, Input = FieldInput }) => (
              <Input
                key={name}
                name={name}
                schema={schema.data![name]}
                value={texts[name]}
                error={errors[name]}
                onChange={(value) => set(name, value)}
              />
            ))}
          </fieldset>
          <div class="actions">
            <button type="submit" class="primary" disabled={saving}>
              {saving ? 'Saving…' : id ? 'Save changes' : 'Create endpoint'}
            </button>
            <button type="button" onClick={back}>
              Cancel
            </button>
          </div>
        </form>
      ) : broken ? (
        <button type="button" onClick={back}>
          Back
        </button>
      ) : null}
    </Page>
  );
}
