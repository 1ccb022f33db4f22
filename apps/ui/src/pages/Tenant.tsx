import { useState } from 'preact/hooks';
import { api, byTenant, unwrap, type ApiFailure, type Tenant as TenantData } from '../api/client';
import {
  asFailure,
  CircuitBadge,
  ErrorBox,
  formatTime,
  Loading,
  Page,
  useResource,
} from '../components';
import { ListView } from '../list-view';
import { href, Link, navigate, type Location } from '../router';
import { tenantHref } from '../tenant-label';
import { OpenPortalButton } from './open-portal';
import { PortalSessions } from './PortalSessions';
import { TenantForm } from './TenantForm';

const PAGE = 50;

function useTenant(id: string) {
  return useResource(
    () => unwrap(api.GET('/v1/tenants/{tenant_id}', { params: { path: { tenant_id: id } } })),
    [id],
  );
}

/** A tenant: its facts and metadata, its webhooks, and its portal sessions. */
export function Tenant({ id, location }: { id: string; location: Location }) {
  const tenant = useTenant(id);
  const [error, setError] = useState<ApiFailure>();
  // Bumped when a session is opened here, so that the sessions' list is read again.
  const [opened, setOpened] = useState(0);
  const t = tenant.data;

  const remove = async () => {
    const question =
      `Delete tenant “${t?.name ?? id}”? Its webhooks (with their deliveries and attempts), ` +
      'its events and its portal sessions are deleted with it. This cannot be undone.';
    if (!window.confirm(question)) return;
    try {
      await unwrap(api.DELETE('/v1/tenants/{tenant_id}', { params: { path: { tenant_id: id } } }));
      navigate('/tenants');
    } catch (err) {
      setError(asFailure(err));
    }
  };

  return (
    <Page
      title={t ? `Tenant “${t.name}”` : `Tenant ${id}`}
      actions={
        t ? (
          <>
            <OpenPortalButton
              tenantId={id}
              onOpened={() => setOpened((n) => n + 1)}
              onError={setError}
            />
            <Link class="button" href={tenantHref(id, '/edit')}>
              Edit
            </Link>
            <button type="button" class="danger" onClick={() => void remove()}>
              Delete
            </button>
          </>
        ) : undefined
      }
    >
      <ErrorBox error={error ?? tenant.error} />
      <Loading when={tenant.loading && !t} />
      {t ? (
        <>
          <Facts tenant={t} />
          <p class="actions">
            <Link href={href('/deliveries', { tenant_id: id })}>Its deliveries</Link>
            <Link href={href('/events', { tenant_id: id })}>Its events</Link>
          </p>
          <TenantWebhooks id={id} location={location} />
          <PortalSessions key={opened} tenantId={id} />
        </>
      ) : (
        <Link href={href('/tenants')}>Back to tenants</Link>
      )}
    </Page>
  );
}

function Facts({ tenant: t }: { tenant: TenantData }) {
  const metadata = Object.entries(t.metadata);
  return (
    <>
      <dl class="facts">
        <div>
          <dt>Id</dt>
          <dd>
            <code>{t.id}</code>
          </dd>
        </div>
        <div>
          <dt>Max webhooks</dt>
          <dd>{t.max_webhooks ?? 'no limit'}</dd>
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
      <h2>Metadata</h2>
      {metadata.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <dl class="facts metadata-list">
          {metadata.map(([key, value]) => (
            <div key={key} data-metadata-key={key}>
              <dt>{key}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </>
  );
}

/** The tenant's webhooks (`GET /v1/webhooks?tenant_id=`), a page at a time. */
function TenantWebhooks({ id, location }: { id: string; location: Location }) {
  const after = location.query.get('after') ?? undefined;
  const list = useResource(
    () =>
      unwrap(
        api.GET('/v1/webhooks', { params: { query: { limit: PAGE, after, ...byTenant(id) } } }),
      ),
    [id, after],
  );
  return (
    <section aria-labelledby="tenant-webhooks">
      <header class="page-head">
        <h2 id="tenant-webhooks">Webhooks</h2>
        <Link class="button" href={href('/webhooks/new', { tenant_id: id })}>
          New webhook for this tenant
        </Link>
      </header>
      <ListView
        error={list.error}
        loading={list.loading}
        items={list.data?.webhooks}
        empty="This tenant has no webhooks."
        columns={['Name', 'URL', 'Circuit', 'Events']}
        row={(w) => (
          <tr key={w.id} data-webhook={w.id}>
            <td>
              <Link href={href(`/webhooks/${w.id}`)}>{w.name}</Link>
            </td>
            <td class="url" title={w.url}>
              {w.url}
            </td>
            <td>
              <CircuitBadge webhook={w} />
            </td>
            <td class="small">{w.event_types.join(', ') || '—'}</td>
          </tr>
        )}
        paging={{
          first: tenantHref(id),
          next: list.data?.next_cursor
            ? `${tenantHref(id)}?after=${encodeURIComponent(list.data.next_cursor)}`
            : undefined,
          paged: !!after,
        }}
      />
    </section>
  );
}

/** `/tenants/{id}/edit`: the tenant's form, back to its page once saved. */
export function TenantEdit({ id }: { id: string }) {
  const tenant = useTenant(id);
  const t = tenant.data;
  return (
    <Page title={t ? `Edit tenant “${t.name}”` : 'Edit tenant'}>
      <ErrorBox error={tenant.error} />
      <Loading when={tenant.loading && !t} />
      {/* Keyed by the version loaded, so the form starts from what was read. */}
      {t ? (
        <TenantForm key={t.updated_at} tenant={t} onSaved={() => navigate(tenantHref(id))} />
      ) : null}
      <p>
        <Link href={tenantHref(id)}>Back to the tenant</Link>
      </p>
    </Page>
  );
}
