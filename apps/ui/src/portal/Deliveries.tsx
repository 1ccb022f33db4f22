import { useState } from 'preact/hooks';
import { unwrap, type DeliveryStatus } from '../api/client';
import { ErrorBox, formatTime, Loading, Page, StatusBadge, useResource } from '../components';
import { StatusSelect } from '../delivery-parts';
import { useCanWrite, usePortal, type DeliveriesView } from './context';
import {
  endpointName,
  EndpointField,
  useTenantEndpoints,
  type TenantEndpoints,
} from './endpoint-field';
import { Recover } from './Recover';
import { CursorPager, useCursorPages } from './pager';
import { portalApi } from './session';

const PAGE = 20;

/** The filter a form holds, as the view it leads to (empty fields left out). */
function viewOf(form: HTMLFormElement): DeliveriesView {
  const data = new FormData(form);
  const value = (name: string) => {
    const raw = data.get(name);
    return typeof raw === 'string' && raw.trim() ? raw.trim() : undefined;
  };
  return {
    page: 'deliveries',
    webhookId: value('webhook_id'),
    status: value('status') as DeliveryStatus | undefined,
    eventType: value('event_type'),
  };
}

/** Empties a form's fields (a select to its first choice, "Any"). */
function clearFields(form: HTMLFormElement): void {
  for (const field of Array.from(form.elements)) {
    if (field instanceof HTMLInputElement) field.value = '';
    if (field instanceof HTMLSelectElement) field.selectedIndex = 0;
  }
}

/**
 * The tenant's deliveries, newest first, by endpoint, status and event type, a keyset page
 * at a time (the API scopes the list to the session's tenant). The filter is the view's;
 * the form stays (focus stays on Apply or Clear) while the list below is keyed on it, so
 * a new filter starts again from the first page. The endpoints to pick from are loaded
 * once, when the view opens.
 */
export function Deliveries({ view }: { view: DeliveriesView }) {
  const { go } = usePortal();
  const canWrite = useCanWrite();
  const endpoints = useTenantEndpoints();
  const [recovered, setRecovered] = useState(0);
  const filter = JSON.stringify([view.webhookId, view.status, view.eventType]);

  return (
    <Page site={null} title="Deliveries">
      <form
        class="filters"
        aria-label="Filter deliveries"
        onSubmit={(e) => {
          e.preventDefault();
          go(viewOf(e.currentTarget));
        }}
      >
        <EndpointField
          id="f-endpoint"
          value={view.webhookId}
          endpoints={endpoints}
          any="Every endpoint"
        />
        <StatusSelect id="f-status" value={view.status} />
        <div class="field">
          <label for="f-type">Event type</label>
          <input id="f-type" name="event_type" defaultValue={view.eventType ?? ''} />
        </div>
        <div class="actions">
          <button type="submit">Apply</button>
          <button
            type="button"
            onClick={(e) => {
              if (e.currentTarget.form) clearFields(e.currentTarget.form);
              go({ page: 'deliveries' });
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {canWrite ? (
        <Recover
          endpoints={endpoints}
          webhookId={view.webhookId}
          onDone={() => setRecovered((n) => n + 1)}
        />
      ) : null}
      <List key={filter} view={view} endpoints={endpoints.data} tick={recovered} />
    </Page>
  );
}

/** One filter's list, from its first page; loaded again when `tick` moves. */
function List(props: { view: DeliveriesView; endpoints?: TenantEndpoints; tick: number }) {
  const { view } = props;
  const { go } = usePortal();
  const pages = useCursorPages();
  const { after } = pages;
  const list = useResource(
    () =>
      unwrap(
        portalApi.GET('/v1/deliveries', {
          params: {
            query: {
              limit: PAGE,
              after,
              webhook_id: view.webhookId,
              status: view.status,
              event_type: view.eventType,
            },
          },
        }),
      ),
    [after, props.tick],
  );
  const items = list.data?.deliveries;
  const byId = props.endpoints?.byId;

  return (
    <>
      <ErrorBox error={list.error} />
      <Loading when={list.loading} />
      {/* Said to a screen reader once the list has loaded: how many a new filter found. */}
      <p class="muted" role="status" data-list-count={list.loading ? undefined : items?.length}>
        {items && !list.loading
          ? items.length === 0
            ? 'No deliveries match.'
            : `${items.length} ${items.length === 1 ? 'delivery' : 'deliveries'} on this page.`
          : ''}
      </p>
      {items && items.length > 0 ? (
        <div class="table-wrap">
          <table aria-busy={list.loading}>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Status</th>
                <th scope="col">Endpoint</th>
                <th scope="col">Event type</th>
                <th scope="col">Attempts</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id} data-delivery-row={d.id} data-status={d.status}>
                  <td>
                    <button
                      type="button"
                      class="link"
                      aria-label={`Delivery ${d.id.slice(0, 8)}, ${formatTime(d.created_at)}`}
                      onClick={() => go({ page: 'delivery', id: d.id, back: view })}
                    >
                      {formatTime(d.created_at)}
                    </button>
                  </td>
                  <td>
                    <StatusBadge status={d.status} />
                  </td>
                  <td>{endpointName(byId?.get(d.webhook_id), d.webhook_id)}</td>
                  <td>{d.event_type ?? <span class="muted">sent directly</span>}</td>
                  <td>{d.delivery_attempts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <CursorPager pages={pages} next={list.data?.next_cursor} />
    </>
  );
}
