import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiFailure, unwrap, type Tenant, type TenantRequest } from '../api/client';
import { schemaProperties, type PropertySchema } from '../api/openapi';
import { asFailure, useResource } from '../components';
import { FormFailure, refuseIfChanged } from '../webhook-form-parts';
import { MetadataEditor, metadataOf, rowsOf, type MetadataRow } from './metadata-editor';

/** The notes under the fields, with the limits the served document gives (when it loads). */
function hints(p: Partial<Record<string, PropertySchema>> | undefined) {
  const name = p?.name;
  const max = p?.max_webhooks;
  const meta = p?.metadata;
  const values =
    typeof meta?.additionalProperties === 'object'
      ? meta.additionalProperties.maxLength
      : undefined;
  return {
    name: `${name?.maxLength ? `${name.minLength ?? 1}–${name.maxLength} characters. ` : ''}Empty: the id.`,
    max_webhooks: `${max?.maximum ? `${max.minimum ?? 1}–${max.maximum}. ` : ''}Empty: no limit.`,
    metadata:
      'Your own notes on the tenant, as text' +
      (meta?.maxProperties ? `: at most ${meta.maxProperties} keys` : '') +
      (values ? `, values up to ${values} characters.` : '.'),
  };
}

/** The request's max_webhooks: null when empty, a number when one, else the text for the API to name. */
function maxWebhooksOf(text: string): unknown {
  const t = text.trim();
  if (t === '') return null;
  return /^-?\d+$/.test(t) ? Number(t) : t;
}

/**
 * A tenant's form: a new one (with its id, which is fixed from then on) or an existing
 * one's full replacement. A new id that is already taken is refused rather than replaced
 * (PUT would replace it), and an edit made over a change since the form was filled is
 * refused as the webhook form refuses it.
 */
export function TenantForm(props: { tenant?: Tenant; onSaved: (tenant: Tenant) => void }) {
  const { tenant } = props;
  const schema = useResource(() => schemaProperties('TenantRequestDto'), []);
  const [id, setId] = useState('');
  const [name, setName] = useState(tenant?.name ?? '');
  const [maxWebhooks, setMaxWebhooks] = useState(
    tenant?.max_webhooks === null || tenant?.max_webhooks === undefined
      ? ''
      : String(tenant.max_webhooks),
  );
  const [rows, setRows] = useState<MetadataRow[]>(rowsOf(tenant?.metadata));
  const [failure, setFailure] = useState<ApiFailure>();
  const [saving, setSaving] = useState(false);
  const errors = failure?.fieldErrors() ?? {};
  const hint = hints(schema.data);

  const submit = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setFailure(undefined);
    try {
      const tenantId = tenant ? tenant.id : id.trim();
      if (!tenant) await refuseTaken(tenantId);
      const metadata = metadataOf(rows);
      if (typeof metadata === 'string') {
        throw new ApiFailure(400, {
          code: 4,
          message: 'request validation failed',
          details: `metadata: ${metadata}.`,
        });
      }
      const body = {
        name: name.trim() === '' ? undefined : name,
        metadata,
        max_webhooks: maxWebhooksOf(maxWebhooks),
      } as TenantRequest;
      if (tenant) await refuseStale(tenant);
      const saved = await unwrap(
        api.PUT('/v1/tenants/{tenant_id}', { params: { path: { tenant_id: tenantId } }, body }),
      );
      props.onSaved(saved);
    } catch (err) {
      setFailure(asFailure(err));
      // The summary is announced; focus goes to the first field named.
      window.setTimeout(() =>
        document.querySelector<HTMLElement>('.tenant-form [aria-invalid="true"]')?.focus(),
      );
    } finally {
      setSaving(false);
    }
  };

  const field = (key: string, label: string, input: JSX.Element, note?: string) => (
    <div class={`field${errors[key] ? ' invalid' : ''}`}>
      <label for={`f-${key}`}>{label}</label>
      {input}
      <small id={`f-${key}-note`} class={errors[key] ? 'field-error' : 'hint'}>
        {errors[key] ? `${label} ${errors[key]}` : note}
      </small>
    </div>
  );
  const text = (key: string, value: string, set: (v: string) => void, extra = {}) => (
    <input
      id={`f-${key}`}
      value={value}
      onInput={(e) => set((e.target as HTMLInputElement).value)}
      aria-invalid={errors[key] ? 'true' : undefined}
      aria-describedby={`f-${key}-note`}
      autocomplete="off"
      {...extra}
    />
  );

  return (
    <form class="form tenant-form" onSubmit={(e) => void submit(e)} noValidate>
      <FormFailure failure={failure} />
      <fieldset>
        <legend>Tenant</legend>
        {tenant
          ? null
          : field(
              'tenant_id',
              'Id',
              text('tenant_id', id, setId, { spellcheck: false, required: true }),
              'Your id for this customer: 1–64 letters, digits, “_”, “.” or “-”. Fixed once created.',
            )}
        {field('name', 'Name', text('name', name, setName), hint.name)}
        {field(
          'max_webhooks',
          'Max webhooks',
          text('max_webhooks', maxWebhooks, setMaxWebhooks, { inputMode: 'numeric' }),
          hint.max_webhooks,
        )}
        <MetadataEditor
          rows={rows}
          error={errors.metadata}
          hint={hint.metadata}
          onChange={setRows}
        />
      </fieldset>
      <div class="actions">
        <button type="submit" class="primary" disabled={saving}>
          {saving ? 'Saving…' : tenant ? 'Save changes' : 'Create tenant'}
        </button>
      </div>
    </form>
  );
}

/** A new tenant's id must be free: PUT would replace the tenant that has it. */
async function refuseTaken(tenantId: string): Promise<void> {
  if (tenantId === '' || tenantId === '.' || tenantId === '..') {
    throw new ApiFailure(400, {
      code: 4,
      message: 'request validation failed',
      details: `tenant_id: ${tenantId === '' ? 'is required' : 'cannot be used in a URL'}.`,
    });
  }
  try {
    await unwrap(api.GET('/v1/tenants/{tenant_id}', { params: { path: { tenant_id: tenantId } } }));
  } catch (err) {
    if (err instanceof ApiFailure && err.body?.code === 16) return; // tenant not found: free
    throw err;
  }
  throw new ApiFailure(
    409,
    undefined,
    `A tenant with the id “${tenantId}” exists already: open it from the list to edit it.`,
  );
}

/** PUT replaces the whole tenant: refuse to overwrite a change made since the form was filled. */
async function refuseStale(was: Tenant): Promise<void> {
  const now = await unwrap(
    api.GET('/v1/tenants/{tenant_id}', { params: { path: { tenant_id: was.id } } }),
  );
  refuseIfChanged(was.updated_at, now.updated_at, 'tenant');
}
