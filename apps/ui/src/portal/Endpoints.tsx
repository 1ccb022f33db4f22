import { unwrap, type Webhook } from '../api/client';
import { CircuitBadge, ErrorBox, formatTime, Loading, useResource } from '../components';
import { CursorPager, useCursorPages } from './pager';
import { portalApi } from './session';

const PAGE = 50;

/** Why an endpoint is off, in words: disabled by the service, or turned off by someone. */
function State({ webhook }: { webhook: Webhook }) {
  return (
    <>
      <CircuitBadge webhook={webhook} />
      {webhook.disabled_reason ? (
        <span class="muted" data-disabled-reason>
          {' '}
          {webhook.disabled_reason}
        </span>
      ) : null}
    </>
  );
}

/**
 * The tenant's endpoints (its webhooks), a page at a time: the API scopes the list to the
 * session's tenant. Pages are kept in the page's state, not its address.
 */
export function Endpoints() {
  const pages = useCursorPages();
  const { after } = pages;
  const list = useResource(
    () => unwrap(portalApi.GET('/v1/webhooks', { params: { query: { limit: PAGE, after } } })),
    [after],
  );
  const items = list.data?.webhooks;
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Endpoints
        </h1>
      </header>
      <ErrorBox error={list.error} />
      <Loading when={list.loading} />
      {items && items.length === 0 ? <p class="empty">No endpoints yet.</p> : null}
      {items && items.length > 0 ? (
        <div class="table-wrap">
          <table aria-busy={list.loading}>
            <thead>
              <tr>
                <th scope="col">Endpoint</th>
                <th scope="col">State</th>
                <th scope="col">Events</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((w) => (
                <tr key={w.id} data-endpoint-row={w.id}>
                  <td>
                    {w.name ? <strong>{w.name}</strong> : null}
                    <div>
                      <code>{w.url}</code>
                    </div>
                  </td>
                  <td>
                    <State webhook={w} />
                  </td>
                  <td>
                    <code>{w.event_types.join(', ')}</code>
                  </td>
                  <td>{formatTime(w.created_at)}</td>
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
