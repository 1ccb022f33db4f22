import { useState } from 'preact/hooks';
import { api, unwrap, type ApiFailure } from '../api/client';
import {
  asFailure,
  ErrorBox,
  formatTime,
  Loading,
  Page,
  printable,
  Raw,
  useResource,
} from '../components';
import { href, Link, navigate } from '../router';
import { DeprecatedBadge, eventTypeHref } from './EventTypes';

export function useEventType(name: string) {
  return useResource(
    () => unwrap(api.GET('/v1/event-types/{name}', { params: { path: { name } } })),
    [name],
  );
}

/** An event type: its description, schema and example, as text; edit and delete. */
export function EventType({ name }: { name: string }) {
  const type = useEventType(name);
  const [error, setError] = useState<ApiFailure>();
  const t = type.data;

  const remove = async () => {
    const question =
      `Delete event type “${name}” from the catalogue? Events already published keep their ` +
      'type, and webhooks keep their subscriptions; its schema no longer checks payloads.';
    if (!window.confirm(question)) return;
    try {
      await unwrap(api.DELETE('/v1/event-types/{name}', { params: { path: { name } } }));
      navigate('/event-types');
    } catch (err) {
      setError(asFailure(err));
    }
  };

  return (
    <Page
      title={`Event type ${name}`}
      actions={
        t ? (
          <>
            <Link class="button" href={eventTypeHref(name, '/edit')}>
              Edit
            </Link>
            <button type="button" class="danger" onClick={() => void remove()}>
              Delete
            </button>
          </>
        ) : undefined
      }
    >
      <ErrorBox error={error ?? type.error} />
      <Loading when={type.loading && !t} />
      {t ? (
        <>
          <dl class="facts">
            <div>
              <dt>Description</dt>
              <dd class="description">{printable(t.description).text || '—'}</dd>
            </div>
            <div>
              <dt>State</dt>
              <dd>{t.deprecated ? <DeprecatedBadge /> : 'In use'}</dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>{formatTime(t.created_at)}</dd>
            </div>
            <div>
              <dt>Updated</dt>
              <dd>{formatTime(t.updated_at)}</dd>
            </div>
          </dl>
          {t.schema ? (
            <Raw
              label="Schema (JSON Schema, draft 2020-12)"
              text={JSON.stringify(t.schema, null, 2)}
            />
          ) : (
            <p class="muted">No schema: payloads of this type are not checked.</p>
          )}
          {/* The example as stored, byte for byte: what a test delivery sends (a copy
              parsed and printed again would round big numbers and fold duplicate keys). */}
          {t.example !== null ? (
            <Raw label="Example payload" text={t.example} />
          ) : (
            <p class="muted">No example.</p>
          )}
          <p class="actions">
            <Link href={href('/events', { event_type: name })}>Its events</Link>
            <Link href={href('/event-types')}>Back to event types</Link>
          </p>
        </>
      ) : (
        <Link href={href('/event-types')}>Back to event types</Link>
      )}
    </Page>
  );
}
