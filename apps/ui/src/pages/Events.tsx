import { useState } from 'preact/hooks';
import {
  api,
  byTenant,
  idempotencyKey,
  unwrap,
  type ApiFailure,
  owned,
  type PostmandEvent,
} from '../api/client';
import { asFailure, ErrorBox, formatTime, Page, useResource } from '../components';
import { href, Link, type Location } from '../router';
import { FilterForm, ListView } from '../list-view';
import { TenantFilterField, TenantLabel } from '../tenant-label';

const PAGE = 50;

export function Events({ location }: { location: Location }) {
  const eventType = location.query.get('event_type') ?? undefined;
  const tenantId = location.query.get('tenant_id') || undefined;
  const after = location.query.get('after') ?? undefined;
  const filter = { event_type: eventType, tenant_id: tenantId };
  const list = useResource(
    () =>
      unwrap(
        api.GET('/v1/events', {
          params: { query: { limit: PAGE, after, event_type: eventType, ...byTenant(tenantId) } },
        }),
      ).then((page) => ({ ...page, events: owned(page.events) })),
    [eventType, tenantId, after],
  );

  return (
    <Page title="Events">
      <Publish onPublished={list.reload} />
      <FilterForm
        path="/events"
        label="Filter events"
        names={['event_type', 'tenant_id']}
        key={JSON.stringify(filter)}
      >
        <div class="field">
          <label for="q-event-type">Event type</label>
          <input id="q-event-type" name="event_type" defaultValue={eventType ?? ''} />
        </div>
        <TenantFilterField value={tenantId} />
      </FilterForm>
      <ListView
        error={list.error}
        loading={list.loading}
        items={list.data?.events}
        empty="No events match."
        columns={['Type', 'Event', 'Tenant', 'Deliveries', 'Created', 'Payload']}
        row={(ev) => (
          <tr key={ev.id} data-event={ev.id}>
            <td>{ev.event_type}</td>
            <td>
              <code>{ev.id.slice(0, 8)}</code>
            </td>
            <td>
              <TenantLabel tenantId={ev.tenant_id} />
            </td>
            <td>
              <Link href={href('/deliveries', { event_id: ev.id })}>
                {ev.delivery_count} {ev.delivery_count === 1 ? 'delivery' : 'deliveries'}
              </Link>
            </td>
            <td>{formatTime(ev.created_at)}</td>
            <td class="payload" title={ev.payload.slice(0, 500)}>
              {ev.payload.slice(0, 80)}
            </td>
          </tr>
        )}
        paging={{
          first: href('/events', filter),
          next: list.data?.next_cursor
            ? href('/events', { ...filter, after: list.data.next_cursor })
            : undefined,
          paged: !!after,
        }}
      />
    </Page>
  );
}

/**
 * Publish an event by hand: one delivery to every webhook subscribed to its type, among
 * the tenant's webhooks when one is named, else among the platform's own (SPEC §11).
 */
function Publish({ onPublished }: { onPublished: () => void }) {
  const [eventType, setEventType] = useState('');
  const [tenant, setTenant] = useState('');
  const [payload, setPayload] = useState('{\n  \n}');
  const [error, setError] = useState<ApiFailure>();
  const [published, setPublished] = useState<PostmandEvent>();
  const [busy, setBusy] = useState(false);
  const errors = error?.fieldErrors() ?? {};

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const event = await unwrap(
        api.POST('/v1/events', {
          body: { event_type: eventType.trim(), payload, ...byTenant(tenant.trim()) },
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
      );
      setPublished(event);
      onPublished();
    } catch (err) {
      setError(asFailure(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details class="panel">
      <summary>Publish an event</summary>
      <form class="form" onSubmit={(e) => void submit(e)} noValidate>
        <ErrorBox error={Object.keys(errors).length ? undefined : error} />
        <div class={`field${errors.event_type ? ' invalid' : ''}`}>
          <label for="p-type">Event type</label>
          <input
            id="p-type"
            value={eventType}
            onInput={(e) => setEventType((e.target as HTMLInputElement).value)}
            aria-invalid={errors.event_type ? 'true' : undefined}
            aria-describedby="p-type-note"
          />
          <small id="p-type-note" class={errors.event_type ? 'field-error' : 'hint'}>
            {errors.event_type ? `Event type ${errors.event_type}` : 'For example order.created.'}
          </small>
        </div>
        <div class={`field${errors.tenant_id ? ' invalid' : ''}`}>
          <label for="p-tenant">Tenant</label>
          <input
            id="p-tenant"
            value={tenant}
            onInput={(e) => setTenant((e.target as HTMLInputElement).value)}
            aria-invalid={errors.tenant_id ? 'true' : undefined}
            aria-describedby="p-tenant-note"
            autocomplete="off"
            spellcheck={false}
          />
          <small id="p-tenant-note" class={errors.tenant_id ? 'field-error' : 'hint'}>
            {errors.tenant_id
              ? `Tenant ${errors.tenant_id}`
              : 'For that tenant’s webhooks only. Empty: for your own webhooks.'}
          </small>
        </div>
        <div class={`field${errors.payload ? ' invalid' : ''}`}>
          <label for="p-payload">Payload</label>
          <textarea
            id="p-payload"
            rows={5}
            value={payload}
            onInput={(e) => setPayload((e.target as HTMLTextAreaElement).value)}
            aria-invalid={errors.payload ? 'true' : undefined}
            aria-describedby="p-payload-note"
          />
          <small id="p-payload-note" class={errors.payload ? 'field-error' : 'hint'}>
            {errors.payload ? `Payload ${errors.payload}` : 'Sent as the body of each delivery.'}
          </small>
        </div>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Publish
          </button>
        </div>
        {published ? (
          <p class="notice" role="status">
            Published {published.event_type}:{' '}
            <Link href={href('/deliveries', { event_id: published.id })}>
              {published.delivery_count}{' '}
              {published.delivery_count === 1 ? 'delivery' : 'deliveries'}
            </Link>
            .
          </p>
        ) : null}
      </form>
    </details>
  );
}
