import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, unwrap, type Webhook, type WebhookRequest } from '../api/client';
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

/** The form's text for each field; numbers and lists are parsed on submit. */
interface Fields {
  name: string;
  url: string;
  content_type: string;
  valid_status_codes: string;
  secret_token: string;
  active: boolean;
  max_delivery_attempts: string;
  delivery_attempt_timeout: string;
  retry_min_backoff: string;
  retry_max_backoff: string;
  event_types: string;
  max_concurrency: string;
  rate_limit: string;
  ordering: 'none' | 'fifo';
}

const NEW: Fields = {
  name: '',
  url: '',
  content_type: 'application/json',
  valid_status_codes: '200, 201, 202, 204',
  secret_token: '',
  active: true,
  max_delivery_attempts: '5',
  delivery_attempt_timeout: '10',
  retry_min_backoff: '10',
  retry_max_backoff: '3600',
  event_types: '',
  max_concurrency: '',
  rate_limit: '',
  ordering: 'none',
};

function fieldsOf(w: Webhook): Fields {
  return {
    name: w.name,
    url: w.url,
    content_type: w.content_type,
    valid_status_codes: w.valid_status_codes.join(', '),
    secret_token: w.secret_token,
    active: w.active,
    max_delivery_attempts: String(w.max_delivery_attempts),
    delivery_attempt_timeout: String(w.delivery_attempt_timeout),
    retry_min_backoff: String(w.retry_min_backoff),
    retry_max_backoff: String(w.retry_max_backoff),
    event_types: w.event_types.join(', '),
    max_concurrency: w.max_concurrency === null ? '' : String(w.max_concurrency),
    rate_limit: w.rate_limit === null ? '' : String(w.rate_limit),
    ordering: w.ordering,
  };
}

/** A number when the text is one; otherwise the text, so the API names what is wrong. */
function num(text: string): number {
  const t = text.trim();
  return (/^-?\d+$/.test(t) ? Number(t) : t) as number;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function requestOf(f: Fields): WebhookRequest {
  return {
    name: f.name,
    url: f.url,
    content_type: f.content_type,
    valid_status_codes: list(f.valid_status_codes).map(num),
    secret_token: f.secret_token,
    active: f.active,
    max_delivery_attempts: num(f.max_delivery_attempts),
    delivery_attempt_timeout: num(f.delivery_attempt_timeout),
    retry_min_backoff: num(f.retry_min_backoff),
    retry_max_backoff: num(f.retry_max_backoff),
    event_types: list(f.event_types),
    max_concurrency: f.max_concurrency.trim() === '' ? null : num(f.max_concurrency),
    rate_limit: f.rate_limit.trim() === '' ? null : num(f.rate_limit),
    ordering: f.ordering,
  };
}

export function WebhookForm({ id }: { id?: string }) {
  const existing = useResource(
    async () =>
      id ? unwrap(api.GET('/v1/webhooks/{id}', { params: { path: { id } } })) : undefined,
    [id],
  );
  const [fields, setFields] = useState<Fields>(NEW);
  const [failure, setFailure] = useState<ApiFailure>();
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [showSecret, setShowSecret] = useState(false);

  useEffect(() => {
    if (existing.data) setFields(fieldsOf(existing.data));
  }, [existing.data]);

  const errors = failure?.fieldErrors() ?? {};
  const set = <K extends keyof Fields>(key: K, value: Fields[K]) => {
    setFields((f) => ({ ...f, [key]: value }));
    setSaved(false);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setFailure(undefined);
    try {
      const body = requestOf(fields);
      if (id && existing.data) {
        // PUT replaces the whole webhook: refuse to overwrite a change made since the form
        // was filled (a secret rotated, the webhook disabled by the worker, another edit).
        const now = await unwrap(api.GET('/v1/webhooks/{id}', { params: { path: { id } } }));
        const was = existing.data;
        if (
          now.updated_at !== was.updated_at ||
          now.active !== was.active ||
          now.disabled_reason !== was.disabled_reason
        ) {
          throw new ApiFailure(
            409,
            undefined,
            'This webhook changed after this form was filled (an edit, a rotated secret, or postmand disabling it). Reload the page to see the change, then edit again.',
          );
        }
      }
      const webhook = id
        ? await unwrap(api.PUT('/v1/webhooks/{id}', { params: { path: { id } }, body }))
        : await unwrap(api.POST('/v1/webhooks', { body }));
      if (id) {
        existing.reload();
        setSaved(true);
      } else {
        navigate(`/webhooks/${webhook.id}`);
      }
    } catch (err) {
      setFailure(asFailure(err));
      // The summary is announced; focus goes to the first field named.
      window.setTimeout(() =>
        document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
      );
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!id || !window.confirm(`Delete webhook “${fields.name}” and all its deliveries?`)) return;
    try {
      await unwrap(api.DELETE('/v1/webhooks/{id}', { params: { path: { id } } }));
      navigate('/webhooks');
    } catch (err) {
      setFailure(asFailure(err));
    }
  };

  const text = (key: keyof Fields, label: string, hint?: string, type = 'text') => (
    <div class={`field${errors[key] ? ' invalid' : ''}`}>
      <label for={`f-${key}`}>{label}</label>
      <input
        id={`f-${key}`}
        name={key}
        type={type}
        value={fields[key] as string}
        onInput={(e) => set(key, (e.target as HTMLInputElement).value as never)}
        aria-invalid={errors[key] ? 'true' : undefined}
        aria-describedby={`f-${key}-note`}
        autocomplete="off"
      />
      <small id={`f-${key}-note`} class={errors[key] ? 'field-error' : 'hint'}>
        {errors[key] ? `${label} ${errors[key]}` : hint}
      </small>
    </div>
  );

  if (id && existing.error && !existing.data) {
    return (
      <Page title="Webhook">
        <ErrorBox error={existing.error} />
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
      <Loading when={!!id && existing.loading && !w} />
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
        {failure ? (
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
        ) : null}
        {saved ? (
          <p class="notice" role="status">
            Saved.
          </p>
        ) : null}
        <fieldset>
          <legend>Endpoint</legend>
          {text('name', 'Name', '3–255 characters.')}
          {text('url', 'URL', 'An absolute http or https URL.', 'url')}
          {text('content_type', 'Content type', 'Sent as the Content-Type header.')}
          {text(
            'valid_status_codes',
            'Valid status codes',
            'Responses that count as success, comma-separated.',
          )}
          {text(
            'event_types',
            'Event types',
            'Subscriptions, comma-separated: order.created, order.*, or *.',
          )}
          <div class={`field${errors.secret_token ? ' invalid' : ''}`}>
            <label for="f-secret_token">Signing secret</label>
            <div class="inline">
              <input
                id="f-secret_token"
                name="secret_token"
                type={showSecret ? 'text' : 'password'}
                value={fields.secret_token}
                onInput={(e) => set('secret_token', (e.target as HTMLInputElement).value)}
                aria-invalid={errors.secret_token ? 'true' : undefined}
                aria-describedby="f-secret_token-note"
                autocomplete="off"
              />
              <button
                type="button"
                onClick={() => setShowSecret((s) => !s)}
                aria-pressed={showSecret}
              >
                {showSecret ? 'Hide' : 'Show'}
              </button>
            </div>
            <small id="f-secret_token-note" class={errors.secret_token ? 'field-error' : 'hint'}>
              {errors.secret_token
                ? `Signing secret ${errors.secret_token}`
                : 'Signs each delivery (empty: unsigned). Rotate with the API to keep the old one valid for a while.'}
            </small>
          </div>
          <div class="field check">
            <input
              id="f-active"
              type="checkbox"
              checked={fields.active}
              onChange={(e) => set('active', (e.target as HTMLInputElement).checked)}
            />
            <label for="f-active">Active (deliveries are sent)</label>
          </div>
        </fieldset>
        <fieldset>
          <legend>Retries</legend>
          {text('max_delivery_attempts', 'Max attempts', '1–100.', 'text')}
          {text('delivery_attempt_timeout', 'Attempt timeout (s)', '1–300 seconds.')}
          {text('retry_min_backoff', 'First retry after (s)', 'Doubles with each retry.')}
          {text('retry_max_backoff', 'Longest wait (s)', 'At least the first retry’s.')}
        </fieldset>
        <fieldset>
          <legend>Endpoint protection</legend>
          {text('max_concurrency', 'Max concurrent requests', 'Empty: no limit.')}
          {text('rate_limit', 'Rate limit (per second)', 'Empty: no limit.')}
          <div class="field">
            <label for="f-ordering">Ordering</label>
            <select
              id="f-ordering"
              value={fields.ordering}
              onChange={(e) =>
                set('ordering', (e.target as HTMLSelectElement).value as Fields['ordering'])
              }
            >
              <option value="none">None (fastest)</option>
              <option value="fifo">FIFO (one at a time, in order)</option>
            </select>
          </div>
        </fieldset>
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
