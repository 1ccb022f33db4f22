import { useState } from 'preact/hooks';
import { api, byTenant, unwrap, type DeliveryStatus, owned } from '../api/client';
import { ErrorBox, formatTime, Page, StatusBadge, useResource } from '../components';
import { BulkOutcome, useBulkRedeliver } from '../delivery-log';
import { StatusSelect } from '../delivery-parts';
import { href, Link, type Location } from '../router';
import { FilterForm, ListView } from '../list-view';
import { TenantFilterField, TenantLabel } from '../tenant-label';

const PAGE = 50;
const FILTERS = ['webhook_id', 'status', 'event_id', 'event_type', 'tenant_id'] as const;
type Filter = Record<(typeof FILTERS)[number], string | undefined>;

function filterOf(query: URLSearchParams): Filter {
  const out = {} as Filter;
  for (const key of FILTERS) out[key] = query.get(key) || undefined;
  return out;
}

export function Deliveries({ location }: { location: Location }) {
  const filter = filterOf(location.query);
  const after = location.query.get('after') ?? undefined;
  const key = JSON.stringify([filter, after]);
  const list = useResource(
    () =>
      unwrap(
        api.GET('/v1/deliveries', {
          params: {
            query: {
              limit: PAGE,
              after,
              webhook_id: filter.webhook_id,
              status: filter.status as DeliveryStatus | undefined,
              event_id: filter.event_id,
              event_type: filter.event_type,
              ...byTenant(filter.tenant_id),
            },
          },
        }),
      ).then((page) => ({ ...page, deliveries: owned(page.deliveries) })),
    [key],
  );

  return (
    <Page title="Deliveries">
      <FilterForm path="/deliveries" label="Filter deliveries" names={FILTERS} key={key}>
        <StatusSelect id="q-status" value={filter.status} />
        <div class="field">
          <label for="q-webhook">Webhook id</label>
          <input
            id="q-webhook"
            name="webhook_id"
            defaultValue={filter.webhook_id ?? ''}
            size={38}
          />
        </div>
        <div class="field">
          <label for="q-type">Event type</label>
          <input id="q-type" name="event_type" defaultValue={filter.event_type ?? ''} />
        </div>
        <div class="field">
          <label for="q-event">Event id</label>
          <input id="q-event" name="event_id" defaultValue={filter.event_id ?? ''} size={38} />
        </div>
        <TenantFilterField value={filter.tenant_id} />
      </FilterForm>
      {filter.event_id || filter.tenant_id ? (
        <p class="muted">
          Bulk redeliver works by status, webhook and event type: clear the{' '}
          {filter.event_id ? 'event' : 'tenant'} filter to use it.
        </p>
      ) : (
        <BulkRedeliver key={key} filter={filter} onDone={list.reload} />
      )}
      <ListView
        error={list.error}
        loading={list.loading}
        items={list.data?.deliveries}
        empty="No deliveries match."
        columns={[
          'Status',
          'Delivery',
          'Tenant',
          'Event type',
          'Attempts',
          'Created',
          'Next / last attempt',
        ]}
        row={(d) => (
          <tr key={d.id} data-delivery={d.id} data-status={d.status}>
            <td>
              <StatusBadge status={d.status} />
            </td>
            <td>
              <Link href={href(`/deliveries/${d.id}`)}>
                <code>{d.id.slice(0, 8)}</code>
              </Link>
            </td>
            <td>
              <TenantLabel tenantId={d.tenant_id} />
            </td>
            <td>{d.event_type ?? <span class="muted">direct</span>}</td>
            <td>{d.delivery_attempts}</td>
            <td>{formatTime(d.created_at)}</td>
            <td>
              {d.status === 'pending' ? formatTime(d.scheduled_at) : formatTime(d.updated_at)}
            </td>
          </tr>
        )}
        paging={{
          first: href('/deliveries', filter),
          next: list.data?.next_cursor
            ? href('/deliveries', { ...filter, after: list.data.next_cursor })
            : undefined,
          paged: !!after,
        }}
      />
    </Page>
  );
}

/**
 * Redeliver everything a filter matches: the dry run's count first, then a confirmation
 * that sends exactly the request the dry run counted, created before the count (the panel
 * is keyed by the filter).
 */
function BulkRedeliver({ filter, onDone }: { filter: Filter; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const bulk = useBulkRedeliver(api, onDone);
  const { done, error, busy } = bulk;
  const status = (filter.status ?? 'failed') as DeliveryStatus;
  const described = [
    `status ${status}`,
    filter.webhook_id ? `webhook ${filter.webhook_id.slice(0, 8)}` : 'every webhook',
    filter.event_type ? `event type ${filter.event_type}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  const count = bulk.counted?.count;
  const dryRun = () =>
    bulk.count({ status, webhook_id: filter.webhook_id, event_type: filter.event_type });
  const confirm = bulk.confirm;

  if (!open) {
    return (
      <p>
        <button
          type="button"
          onClick={() => {
            setOpen(true);
            void dryRun();
          }}
        >
          Redeliver matching…
        </button>
      </p>
    );
  }
  return (
    <div class="panel" role="region" aria-label="Bulk redeliver">
      <p>
        Redeliver every delivery with <strong>{described}</strong>: each gets a new pending delivery
        with the same payload.
      </p>
      <ErrorBox error={error} />
      {busy && count === undefined ? <p class="muted">Counting…</p> : null}
      {count !== undefined ? (
        <p data-dry-run-count={count}>
          Dry run: <strong>{count.toLocaleString()}</strong> deliveries match.
        </p>
      ) : null}
      {done ? <BulkOutcome done={done} /> : null}
      <div class="actions">
        {count !== undefined && count > 0 ? (
          <button type="button" class="primary" disabled={busy} onClick={() => void confirm()}>
            Redeliver {count.toLocaleString()}
          </button>
        ) : null}
        <button
          type="button"
          onClick={() => {
            setOpen(false);
            bulk.reset();
          }}
        >
          {done ? 'Close' : 'Cancel'}
        </button>
      </div>
    </div>
  );
}
