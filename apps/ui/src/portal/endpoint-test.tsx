import { useState } from 'preact/hooks';
import { unwrap, type ApiFailure, type Webhook } from '../api/client';
import { asFailure, ErrorBox, Loading, printable, StatusBadge } from '../components';
import { Attempts, useDeliveryLog } from '../delivery-log';
import { useEventTypeCatalogue } from '../event-type-catalogue';
import { usePortal } from './context';
import { portalApi } from './session';

/** The test delivery just sent, watched until its attempt arrives (and after). */
function SentTest({ id }: { id: string }) {
  const portal = usePortal();
  const log = useDeliveryLog(portalApi, id);
  const d = log.delivery;
  return (
    <div class="sent-test" data-test-delivery={id}>
      <ErrorBox error={log.error} />
      <p role="status">
        {d ? (
          <>
            Test delivery <StatusBadge status={d.status} />{' '}
            {d.status === 'pending' ? 'waiting for its attempt…' : null}
          </>
        ) : (
          'Sending…'
        )}
      </p>
      <Attempts attempts={log.attempts} />
      <button type="button" onClick={() => portal.go({ page: 'delivery', id })}>
        Open in Deliveries
      </button>
    </div>
  );
}

/**
 * "Send test event" (§14's `POST /v1/webhooks/{id}/test`): the catalogue's example of a
 * chosen type, to this endpoint alone, and its attempt as it arrives. A write: shown to
 * sessions that may write only. Types without an example cannot be sent, so they are not
 * offered.
 */
export function EndpointTest({ webhook }: { webhook: Webhook }) {
  const catalogue = useEventTypeCatalogue(portalApi);
  const [type, setType] = useState<string>();
  const [sent, setSent] = useState<string>();
  const [failure, setFailure] = useState<ApiFailure>();
  const [busy, setBusy] = useState(false);
  const sendable = catalogue.data?.types.filter((t) => t.example !== null) ?? [];
  const chosen = type ?? sendable[0]?.name;

  const send = async () => {
    if (!chosen) return;
    setBusy(true);
    setFailure(undefined);
    try {
      const delivery = await unwrap(
        portalApi.POST('/v1/webhooks/{id}/test', {
          params: { path: { id: webhook.id } },
          body: { event_type: chosen },
        }),
      );
      setSent(delivery.id);
    } catch (err) {
      setFailure(asFailure(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="test-title">
      <h2 id="test-title">Send a test event</h2>
      <ErrorBox error={catalogue.error ?? failure} />
      <Loading when={catalogue.loading} />
      {catalogue.data && sendable.length === 0 ? (
        <p class="muted">No event type has an example to send yet.</p>
      ) : null}
      {sendable.length > 0 ? (
        <form
          class="test-form"
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <label for="test-type">Event type</label>
          <select
            id="test-type"
            value={chosen}
            onChange={(e) => setType((e.target as HTMLSelectElement).value)}
          >
            {sendable.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
                {t.deprecated ? ' (deprecated)' : ''}
                {t.description ? ` — ${printable(t.description).text}` : ''}
              </option>
            ))}
          </select>
          <button type="submit" class="primary" disabled={busy}>
            Send test event
          </button>
        </form>
      ) : null}
      {sent ? <SentTest key={sent} id={sent} /> : null}
    </section>
  );
}
