import { api } from '../api/client';
import { ErrorBox, Loading, Page, prettyPayload, Raw } from '../components';
import { Attempts, useDeliveryLog, useRedeliver } from '../delivery-log';
import { DeliveryFacts } from '../delivery-parts';
import { href, Link, navigate } from '../router';
import { TenantLabel } from '../tenant-label';

export function Delivery({ id }: { id: string }) {
  const data = useDeliveryLog(api, id);
  const { error, busy, redeliver } = useRedeliver(api, (copy) => navigate(`/deliveries/${copy}`));

  const d = data.delivery;
  return (
    <Page
      title={`Delivery ${id.slice(0, 8)}`}
      actions={
        d ? (
          <button type="button" class="primary" onClick={() => void redeliver(id)} disabled={busy}>
            {busy ? 'Redelivering…' : 'Redeliver'}
          </button>
        ) : undefined
      }
    >
      <ErrorBox error={error ?? data.error} />
      <Loading when={data.loading && !d} />
      {d ? (
        <>
          <DeliveryFacts delivery={d}>
            <div>
              <dt>Webhook</dt>
              <dd>
                <Link href={href(`/webhooks/${d.webhook_id}`)}>
                  <code>{d.webhook_id}</code>
                </Link>
              </dd>
            </div>
            <div>
              <dt>Tenant</dt>
              <dd>
                <TenantLabel tenantId={d.tenant_id} />
              </dd>
            </div>
            <div>
              <dt>Event</dt>
              <dd>
                {d.event_id ? (
                  <Link href={href('/deliveries', { event_id: d.event_id })}>
                    {d.event_type} <code>{d.event_id.slice(0, 8)}</code>
                  </Link>
                ) : (
                  <span class="muted">created directly</span>
                )}
              </dd>
            </div>
          </DeliveryFacts>
          <Raw label="Payload" text={prettyPayload(d.payload)} />
          <h2>Attempts</h2>
          <Attempts attempts={data.attempts} />
        </>
      ) : null}
    </Page>
  );
}
