import { href, Link } from './router';

/** The tenant page's address (an id is 1–64 characters of [A-Za-z0-9_.-]). */
export function tenantHref(id: string, sub = ''): string {
  return href(`/tenants/${encodeURIComponent(id)}${sub}`);
}

/**
 * Who owns a webhook, delivery or event: a link to its tenant, "platform" for the
 * platform's own (null), and a dash when the API does not say (an API older than tenants).
 */
export function TenantLabel({ tenantId }: { tenantId: string | null | undefined }) {
  if (tenantId === undefined) {
    return (
      <span class="muted" title="The API does not name tenants">
        —
      </span>
    );
  }
  if (tenantId === null) {
    return (
      <span class="muted" data-tenant="">
        platform
      </span>
    );
  }
  return (
    <Link href={tenantHref(tenantId)} data-tenant={tenantId}>
      <code>{tenantId}</code>
    </Link>
  );
}

/** The tenant filter's input, for a list's FilterForm (its name is the query parameter). */
export function TenantFilterField({ value }: { value: string | undefined }) {
  return (
    <div class="field">
      <label for="q-tenant">Tenant id</label>
      <input
        id="q-tenant"
        name="tenant_id"
        defaultValue={value ?? ''}
        autocomplete="off"
        spellcheck={false}
      />
    </div>
  );
}

/**
 * The webhook form's tenant: chosen when the webhook is created (empty: the platform's
 * own), shown read-only afterwards, since the API fixes it at creation (SPEC §11).
 */
export function WebhookTenantField(props: {
  /** The webhook being edited's tenant; absent for a new webhook. */
  fixed?: { tenantId: string | null | undefined };
  value: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  const { fixed, error } = props;
  const note = fixed
    ? 'Fixed when the webhook was created.'
    : 'The id of the customer that owns it. Empty: one of your own webhooks.';
  return (
    <fieldset>
      <legend>Owner</legend>
      <div class={`field${error ? ' invalid' : ''}`}>
        <label for="f-tenant_id">Tenant</label>
        <input
          id="f-tenant_id"
          name="tenant_id"
          value={fixed ? (fixed.tenantId ?? '') : props.value}
          placeholder={fixed && fixed.tenantId === null ? 'none (platform)' : undefined}
          readOnly={!!fixed}
          onInput={(e) => props.onChange((e.target as HTMLInputElement).value)}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby="f-tenant_id-note"
          autocomplete="off"
          spellcheck={false}
        />
        <small id="f-tenant_id-note" class={error ? 'field-error' : 'hint'}>
          {error ? `Tenant ${error}` : note}
        </small>
      </div>
    </fieldset>
  );
}
