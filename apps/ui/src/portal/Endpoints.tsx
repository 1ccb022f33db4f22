import { unwrap, type Webhook } from '../api/client';
import { CircuitBadge, ErrorBox, formatTime, Loading, Page, useResource } from '../components';
import { SuccessRate, successRates } from '../success-rate';
import { useCanWrite, usePortal } from './context';
import { CursorPager, useCursorPages } from './pager';
import { portalApi } from './session';

const PAGE = 50;

/** Why an endpoint is off, in words: disabled by the service, or turned off by someone. */
export function State({ webhook }: { webhook: Webhook }) {
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
 * The tenant's endpoints (its webhooks), a page at a time, each with its success rate
 * (asked for this page's endpoints only): the API scopes both to the session's tenant.
 * Pages are kept in the page's state, not its address.
 */
export function Endpoints() {
  const portal = usePortal();
  const canWrite = useCanWrite();
  const pages = useCursorPages();
  const { after } = pages;
  const list = useResource(
    () => unwrap(portalApi.GET('/v1/webhooks', { params: { query: { limit: PAGE, after } } })),
    [after],
  );
  const items = list.data?.webhooks;
  // Apart from the list, which shows whatever they do: the rates of a page with an
  // endpoint deleted meanwhile are a 404. Rates read for other ids (the page before, until
  // this page's are asked for) are not shown as this page's.
  const ids = items?.map((w) => w.id) ?? [];
  const key = ids.join(',');
  const read = useResource(async () => ({ key, rates: await successRates(portalApi, ids) }), [key]);
  const rates = {
    data: read.data?.rates,
    error: read.error,
    loading: read.loading || (read.data ? read.data.key !== key : !read.error),
  };
  return (
    <Page
      title="Endpoints"
      site={null}
      actions={
        canWrite ? (
          <button type="button" class="primary" onClick={() => portal.go({ page: 'new-endpoint' })}>
            New endpoint
          </button>
        ) : null
      }
    >
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
                <th scope="col">Success (last 100)</th>
                <th scope="col">Events</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((w) => (
                <tr key={w.id} data-endpoint-row={w.id}>
                  <td>
                    <button
                      type="button"
                      class="link"
                      onClick={() => portal.go({ page: 'endpoint', id: w.id })}
                    >
                      <span class="wrap">{w.name}</span>
                    </button>
                    <div>
                      <code class="wrap">{w.url}</code>
                    </div>
                  </td>
                  <td>
                    <State webhook={w} />
                  </td>
                  <td>
                    <SuccessRate rates={rates} id={w.id} />
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
    </Page>
  );
}
