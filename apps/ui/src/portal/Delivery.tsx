import { unwrap } from '../api/client';
import { ErrorBox, Loading, Page, prettyPayload, Raw, useResource } from '../components';
import { Attempts, useDeliveryLog, useRedeliver } from '../delivery-log';
import { DeliveryFacts } from '../delivery-parts';
import { useCanWrite, usePortal, type DeliveriesView } from './context';
import { endpointName } from './endpoint-field';
import { portalApi } from './session';

/**
 * One of the tenant's deliveries with its attempts, their raw request and response shown
 * as on /ui (the same components); looked at again while pending. Redeliver (a session that
 * may write) makes a copy and shows it.
 */
export function Delivery({ id, back }: { id: string; back?: DeliveriesView }) {
  const { go } = usePortal();
  const canWrite = useCanWrite();
  const data = useDeliveryLog(portalApi, id);
  const { error, busy, redeliver } = useRedeliver(portalApi, (copy) =>
    go({ page: 'delivery', id: copy, back }),
  );
  const d = data.delivery;
  const webhookId = d?.webhook_id;
  const endpoint = useResource(
    () =>
      webhookId
        ? unwrap(portalApi.GET('/v1/webhooks/{id}', { params: { path: { id: webhookId } } }))
        : Promise.resolve(undefined),
    [webhookId],
  );

  return (
    <>
      <p>
        <button type="button" class="link" onClick={() => go(back ?? { page: 'deliveries' })}>
          ← Deliveries
        </button>
      </p>
      <Page
        site={null}
        title={
          <>
            Delivery <code>{id.slice(0, 8)}</code>
          </>
        }
        actions={
          canWrite && d ? (
            <button
              type="button"
              class="primary"
              onClick={() => void redeliver(id)}
              disabled={busy}
            >
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
                <dt>Endpoint</dt>
                <dd>
                  <button
                    type="button"
                    class="link"
                    onClick={() => go({ page: 'deliveries', webhookId: d.webhook_id })}
                  >
                    {endpointName(endpoint.data, d.webhook_id)}
                  </button>
                  {endpoint.data?.name ? (
                    <div>
                      <code>{endpoint.data.url}</code>
                    </div>
                  ) : null}
                </dd>
              </div>
              <div>
                <dt>Event type</dt>
                <dd>{d.event_type ?? <span class="muted">sent directly</span>}</dd>
              </div>
            </DeliveryFacts>
            <Raw label="Payload" text={prettyPayload(d.payload)} />
            <h2>Attempts</h2>
            <Attempts attempts={data.attempts} />
          </>
        ) : null}
      </Page>
    </>
  );
}
