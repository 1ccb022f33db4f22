import { unwrap, type DeliveryStatus } from '../api/client';
import { ErrorBox, formatTime, Loading, StatusBadge, useResource } from '../components';
import { useCanWrite, usePortal, type DeliveriesView } from './context';
import { endpointName, EndpointField, useTenantEndpoints } from './endpoint-field';
import { Recover } from './Recover';
import { CursorPager, useCursorPages } from './pager';
import { portalApi } from './session';

const PAGE = 20;
const STATUSES: DeliveryStatus[] = ['pending', 'succeeded', 'failed'];

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

/**
 * The tenant's deliveries, newest first, by endpoint, status and event type, a keyset page
 * at a time (the API scopes the list to the session's tenant). The filter is the view's:
 * the caller keys this on it, so a new filter starts again from the first page.
 */
export function Deliveries({ view }: { view: DeliveriesView }) {
  const { go } = usePortal();
  const canWrite = useCanWrite();
  const endpoints = useTenantEndpoints();
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
    [after],
  );
  const items = list.data?.deliveries;
  const byId = endpoints.data?.byId;

  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Deliveries
        </h1>
      </header>
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
        <div class="field">
          <label for="f-status">Status</label>
          <select id="f-status" name="status">
            <option value="" selected={!view.status}>
              Any
            </option>
            {STATUSES.map((s) => (
              <option key={s} value={s} selected={view.status === s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-type">Event type</label>
          <input id="f-type" name="event_type" defaultValue={view.eventType ?? ''} />
        </div>
        <div class="actions">
          <button type="submit">Apply</button>
          <button type="button" onClick={() => go({ page: 'deliveries' })}>
            Clear
          </button>
        </div>
      </form>
      {canWrite ? (
        <Recover endpoints={endpoints} webhookId={view.webhookId} onDone={list.reload} />
      ) : null}
      <ErrorBox error={list.error ?? endpoints.error} />
      <Loading when={list.loading} />
      {items && items.length === 0 ? <p class="empty">No deliveries match.</p> : null}
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
    </section>
  );
}
