import { unwrap } from '../api/client';
import {
  ErrorBox,
  formatTime,
  Loading,
  prettyPayload,
  Raw,
  StatusBadge,
  useResource,
} from '../components';
import { Attempts, useDeliveryLog, useRedeliver } from '../delivery-log';
import { useCanWrite, usePortal, type DeliveriesView } from './context';
import { endpointName } from './endpoint-field';
import { portalApi } from './session';

/**
 * One of the tenant's deliveries with its attempts, their raw request and response shown
 * as on /ui (the same component); looked at again while pending. Redeliver (a session that
 * may write) makes a copy and shows it.
 */
export function Delivery({ id, back }: { id: string; back?: DeliveriesView }) {
  const { go } = usePortal();
  const canWrite = useCanWrite();
  const data = useDeliveryLog(portalApi, id);
  const { error, busy, redeliver } = useRedeliver(portalApi, (copy) =>
    go({ page: 'delivery', id: copy, back }),
  );
  const d = data.data?.delivery;
  const webhookId = d?.webhook_id;
  const endpoint = useResource(
    () =>
      webhookId
        ? unwrap(portalApi.GET('/v1/webhooks/{id}', { params: { path: { id: webhookId } } }))
        : Promise.resolve(undefined),
    [webhookId],
  );

  return (
    <section class="page" aria-labelledby="page-title">
      <p>
        <button type="button" class="link" onClick={() => go(back ?? { page: 'deliveries' })}>
          ← Deliveries
        </button>
      </p>
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Delivery <code>{id.slice(0, 8)}</code>
        </h1>
        {canWrite && d ? (
          <div class="actions">
            <button
              type="button"
              class="primary"
              onClick={() => void redeliver(id)}
              disabled={busy}
            >
              {busy ? 'Redelivering…' : 'Redeliver'}
            </button>
          </div>
        ) : null}
      </header>
      <ErrorBox error={error ?? data.error} />
      <Loading when={data.loading && !d} />
      {d ? (
        <>
          <dl class="facts">
            <div>
              <dt>Status</dt>
              <dd data-delivery-status={d.status}>
                <StatusBadge status={d.status} />
              </dd>
            </div>
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
            <div>
              <dt>Attempts</dt>
              <dd>{d.delivery_attempts}</dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>{formatTime(d.created_at)}</dd>
            </div>
            <div>
              <dt>{d.status === 'pending' ? 'Next attempt' : 'Finished'}</dt>
              <dd>{formatTime(d.status === 'pending' ? d.scheduled_at : d.updated_at)}</dd>
            </div>
          </dl>
          <Raw label="Payload" text={prettyPayload(d.payload)} />
          <h2>Attempts</h2>
          <Attempts attempts={data.data?.attempts} />
        </>
      ) : null}
    </section>
  );
}
