import { api, unwrap, type Tenant } from '../api/client';
import { formatTime, Page, useResource } from '../components';
import { ListView } from '../list-view';
import { href, Link, navigate, type Location } from '../router';
import { tenantHref } from '../tenant-label';
import { TenantForm } from './TenantForm';

const PAGE = 50;

/** `plan=enterprise, region=eu`, cut short: the whole is on the tenant's page. */
function metadataSummary(t: Tenant): string {
  const text = Object.entries(t.metadata)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return text.length > 80 ? `${text.slice(0, 79)}…` : text || '—';
}

/** The tenants (SPEC §11), by id, a page at a time; a new one is made in the panel above. */
export function Tenants({ location }: { location: Location }) {
  const after = location.query.get('after') ?? undefined;
  const list = useResource(
    () => unwrap(api.GET('/v1/tenants', { params: { query: { limit: PAGE, after } } })),
    [after],
  );

  return (
    <Page title="Tenants">
      <p class="muted">
        Your customers: each owns its webhooks, receives only the events published for it, and can
        be given a portal session to manage its own endpoints.
      </p>
      <details class="panel" open={location.query.get('new') === '1'}>
        <summary>New tenant</summary>
        <TenantForm onSaved={(t) => navigate(tenantHref(t.id))} />
      </details>
      <ListView
        error={list.error}
        loading={list.loading}
        items={list.data?.tenants}
        empty="No tenants yet: create one above."
        columns={['Id', 'Name', 'Max webhooks', 'Metadata', 'Created']}
        row={(t) => (
          <tr key={t.id} data-tenant-row={t.id}>
            <td>
              <Link href={tenantHref(t.id)}>
                <code>{t.id}</code>
              </Link>
            </td>
            <td>{t.name}</td>
            <td>{t.max_webhooks ?? <span class="muted">no limit</span>}</td>
            <td class="small">{metadataSummary(t)}</td>
            <td>{formatTime(t.created_at)}</td>
          </tr>
        )}
        paging={{
          first: href('/tenants'),
          next: list.data?.next_cursor
            ? href('/tenants', { after: list.data.next_cursor })
            : undefined,
          paged: !!after,
        }}
      />
    </Page>
  );
}
