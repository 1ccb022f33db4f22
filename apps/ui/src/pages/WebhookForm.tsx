import { useEffect, useState } from 'preact/hooks';
import {
  api,
  unwrap,
  type ApiFailure,
  type Owned,
  type Webhook,
  type WebhookRequest,
} from '../api/client';
import { schemaProperties } from '../api/openapi';
import {
  asFailure,
  CircuitBadge,
  ErrorBox,
  formatTime,
  Loading,
  Page,
  useResource,
} from '../components';
import { href, Link, navigate } from '../router';
import { eventTypePicker } from '../event-type-picker';
import { TenantLabel, WebhookTenantField } from '../tenant-label';
import {
  focusFirstInvalid,
  FormFailure,
  putIfUnchanged,
  requestFrom,
  WEBHOOK_FORM_WORDS,
} from '../webhook-form-parts';
import {
  FIELD_NAMES,
  FIELDS,
  FieldInput,
  newTexts,
  requestOf,
  textsOf,
  withEveryField,
  type FieldName,
  type FormField,
  type FormFieldEntry,
  type Texts,
} from './webhook-fields';

const GROUPS: FormField['group'][] = ['Endpoint', 'Retries', 'Endpoint protection'];

/**
 * The form's fields, in FIELDS' order, each with its input where the plain one will not
 * do: `event_types` is the catalogue's picker (§14), as in the portal's endpoint form.
 */
const INPUTS: Partial<Record<FieldName, FormFieldEntry['Input']>> = {
  event_types: eventTypePicker(api),
};
const WEBHOOK_FIELDS: FormFieldEntry[] = FIELD_NAMES.map((name) => ({
  name,
  Input: INPUTS[name],
}));

/** A new webhook's request with its tenant, when one is chosen. */
function withTenant(body: WebhookRequest, tenantId: string): WebhookRequest {
  return tenantId.trim() ? Object.assign(body, { tenant_id: tenantId.trim() }) : body;
}

export function WebhookForm({ id, tenantId }: { id?: string; tenantId?: string }) {
  const existing = useResource(
    async (): Promise<Owned<Webhook> | undefined> =>
      id ? unwrap(api.GET('/v1/webhooks/{id}', { params: { path: { id } } })) : undefined,
    [id],
  );
  const [tenant, setTenant] = useState(tenantId ?? '');
  // Each field's type, limits and default, as the API describes them.
  const schema = useResource(() => schemaProperties('WebhookRequestDto').then(withEveryField), []);
  const [fields, setFields] = useState<Texts>();
  const [failure, setFailure] = useState<ApiFailure>();
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (existing.data) setFields(textsOf(existing.data));
    else if (!id && schema.data) setFields((f) => f ?? newTexts(schema.data!));
  }, [existing.data, schema.data]);

  const errors = failure?.fieldErrors() ?? {};
  const set = (key: FieldName, value: string | boolean) => {
    setFields((f) => f && { ...f, [key]: value });
    setSaved(false);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!fields || !schema.data) return;
    setSaving(true);
    setFailure(undefined);
    try {
      const body = requestOf(fields, schema.data);
      // PUT replaces the whole webhook: never over a change made since the form was filled
      // (a secret rotated, the webhook disabled by the worker, another edit); what the
      // form does not show is sent back as it is.
      const webhook =
        id && existing.data
          ? await putIfUnchanged(
              api,
              existing.data,
              (now) => ({ ...requestFrom(now), ...body }),
              WEBHOOK_FORM_WORDS,
            )
          : await unwrap(api.POST('/v1/webhooks', { body: withTenant(body, tenant) }));
      if (id) {
        existing.reload();
        setSaved(true);
      } else {
        navigate(`/webhooks/${webhook.id}`);
      }
    } catch (err) {
      setFailure(asFailure(err));
      // The summary is announced; focus goes to the first field named.
      focusFirstInvalid();
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    const name = String(fields?.name ?? '');
    if (!id || !window.confirm(`Delete webhook “${name}” and all its deliveries?`)) return;
    try {
      await unwrap(api.DELETE('/v1/webhooks/{id}', { params: { path: { id } } }));
      navigate('/webhooks');
    } catch (err) {
      setFailure(asFailure(err));
    }
  };

  const broken = (id && existing.error && !existing.data) || (schema.error && !schema.data);
  if (broken) {
    return (
      <Page title="Webhook">
        <ErrorBox error={existing.error ?? schema.error} />
        <Link href={href('/webhooks')}>Back to webhooks</Link>
      </Page>
    );
  }
  const w = existing.data;
  return (
    <Page
      title={id ? (w ? `Webhook “${w.name}”` : 'Webhook') : 'New webhook'}
      actions={
        w ? (
          <Link class="button" href={href('/deliveries', { webhook_id: w.id })}>
            Its deliveries
          </Link>
        ) : undefined
      }
    >
      <Loading when={!fields || !schema.data} />
      {w ? (
        <dl class="facts">
          <div>
            <dt>Circuit</dt>
            <dd>
              <CircuitBadge webhook={w} /> {w.circuit.consecutive_failures} consecutive failures
              {w.circuit.open_until ? `, open until ${formatTime(w.circuit.open_until)}` : ''}
            </dd>
          </div>
          {w.disabled_reason ? (
            <div>
              <dt>Disabled because</dt>
              <dd>{w.disabled_reason}</dd>
            </div>
          ) : null}
          <div>
            <dt>Tenant</dt>
            <dd>
              <TenantLabel tenantId={w.tenant_id} />
            </dd>
          </div>
          <div>
            <dt>Id</dt>
            <dd>
              <code>{w.id}</code>
            </dd>
          </div>
          <div>
            <dt>Updated</dt>
            <dd>{formatTime(w.updated_at)}</dd>
          </div>
        </dl>
      ) : null}
      <form class="form" onSubmit={(e) => void submit(e)} noValidate>
        <FormFailure failure={failure} />
        {saved ? (
          <p class="notice" role="status">
            Saved.
          </p>
        ) : null}
        {fields && schema.data ? (
          <WebhookTenantField
            fixed={w ? { tenantId: w.tenant_id } : undefined}
            value={tenant}
            error={errors.tenant_id ?? (failure?.body?.code === 16 ? 'is not a tenant' : undefined)}
            onChange={setTenant}
          />
        ) : null}
        {fields && schema.data
          ? GROUPS.map((group) => (
              <fieldset key={group}>
                <legend>{group}</legend>
                {WEBHOOK_FIELDS.filter(({ name }) => FIELDS[name].group === group).map(
                  ({ name, Input = FieldInput }) => (
                    <Input
                      key={name}
                      name={name}
                      schema={schema.data![name]}
                      value={fields[name]}
                      error={errors[name]}
                      onChange={(value) => set(name, value)}
                    />
                  ),
                )}
              </fieldset>
            ))
          : null}
        <div class="actions">
          <button type="submit" class="primary" disabled={saving}>
            {saving ? 'Saving…' : id ? 'Save changes' : 'Create webhook'}
          </button>
          {id ? (
            <button type="button" class="danger" onClick={() => void remove()}>
              Delete
            </button>
          ) : null}
          <Link href={href('/webhooks')}>Cancel</Link>
        </div>
      </form>
    </Page>
  );
}
