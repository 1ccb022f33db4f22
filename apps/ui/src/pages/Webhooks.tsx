import { api, byTenant, unwrap, type Owned, type Webhook } from '../api/client';
import { CircuitBadge, formatTime, Page, useResource } from '../components';
import { FilterForm, ListView } from '../list-view';
import { href, Link, type Location } from '../router';
import { SuccessRate, successRates } from '../success-rate';
import { TenantFilterField, TenantLabel } from '../tenant-label';

const PAGE = 50;

function limits(w: Webhook): string {
  const parts: string[] = [];
  if (w.max_concurrency !== null) parts.push(`≤ ${w.max_concurrency} at once`);
  if (w.rate_limit !== null) parts.push(`${w.rate_limit}/s`);
  if (w.ordering === 'fifo') parts.push('FIFO');
  return parts.join(', ') || '—';
}

export function Webhooks({ location }: { location: Location }) {
  const after = location.query.get('after') ?? undefined;
  const active = location.query.get('active') ?? '';
  const tenantId = location.query.get('tenant_id') || undefined;
  const list = useResource(async () => {
    const page = await unwrap(
      api.GET('/v1/webhooks', {
        params: {
          query: {
            limit: PAGE,
            after,
            active: active === '' ? undefined : active === 'true',
            ...byTenant(tenantId),
          },
        },
      }),
    );
    const webhooks: Owned<Webhook>[] = page.webhooks;
    const rates = await successRates(
      api,
      webhooks.map((w) => w.id),
    );
    return { page, webhooks, rates };
  }, [after, active, tenantId]);

  return (
    <Page
      title="Webhooks"
      actions={
        <Link class="button primary" href={href('/webhooks/new')}>
          New webhook
        </Link>
      }
    >
      <nav class="filters" aria-label="Filter webhooks">
        <span>Show:</span>
        {[
          ['', 'All'],
          ['true', 'Active'],
          ['false', 'Inactive'],
        ].map(([value, label]) => (
          <Link
            key={value}
            href={href('/webhooks', { active: value, tenant_id: tenantId })}
            aria-current={active === value ? 'page' : undefined}
            class="chip"
          >
            {label}
          </Link>
        ))}
      </nav>
      <FilterForm
        path="/webhooks"
        label="Filter webhooks by tenant"
        names={['tenant_id', 'active']}
        key={tenantId}
      >
        <TenantFilterField value={tenantId} />
        <input type="hidden" name="active" value={active} />
      </FilterForm>
      <ListView
        error={list.error}
        loading={list.loading}
        items={list.data?.webhooks}
        empty={
          <>
            No webhooks yet. <Link href={href('/webhooks/new')}>Create one</Link>.
          </>
        }
        columns={[
          'Name',
          'Tenant',
          'URL',
          'Circuit',
          'Success (last 100)',
          'Limits',
          'Events',
          'Deliveries',
        ]}
        row={(w) => (
          <tr key={w.id} data-webhook={w.id}>
            <td>
              <Link href={href(`/webhooks/${w.id}`)}>{w.name}</Link>
            </td>
            <td>
              <TenantLabel tenantId={w.tenant_id} />
            </td>
            <td class="url" title={w.url}>
              {w.url}
            </td>
            <td>
              <CircuitBadge webhook={w} />
              {w.circuit.state === 'open' && w.circuit.open_until ? (
                <div class="muted small">until {formatTime(w.circuit.open_until)}</div>
              ) : null}
            </td>
            <td>
              <SuccessRate rates={{ data: list.data?.rates, loading: list.loading }} id={w.id} />
            </td>
            <td>{limits(w)}</td>
            <td class="small">{w.event_types.join(', ') || '—'}</td>
            <td>
              <Link href={href('/deliveries', { webhook_id: w.id })}>Deliveries</Link>
            </td>
          </tr>
        )}
        paging={{
          first: href('/webhooks', { active, tenant_id: tenantId }),
          next: list.data?.page.next_cursor
            ? href('/webhooks', {
                active,
                tenant_id: tenantId,
                after: list.data.page.next_cursor,
              })
            : undefined,
          paged: !!after,
        }}
      />
    </Page>
  );
}
