import { useState } from 'preact/hooks';
import { api, idempotencyKey, owned, unwrap, type ApiFailure, type Attempt } from '../api/client';
import {
  asFailure,
  ErrorBox,
  formatMs,
  formatTime,
  Loading,
  Page,
  prettyPayload,
  Raw,
  StatusBadge,
  SuccessBadge,
  useInterval,
  useResource,
} from '../components';
import { href, Link, navigate } from '../router';
import { TenantLabel } from '../tenant-label';

export function Delivery({ id }: { id: string }) {
  const data = useResource(async () => {
    const [delivery, attempts] = await Promise.all([
      unwrap(api.GET('/v1/deliveries/{id}', { params: { path: { id } } })),
      unwrap(
        api.GET('/v1/delivery-attempts', { params: { query: { delivery_id: id, limit: 100 } } }),
      ),
    ]);
    return { delivery: owned([delivery])[0], attempts: [...attempts.delivery_attempts].reverse() };
  }, [id]);
  const [error, setError] = useState<ApiFailure>();
  const [busy, setBusy] = useState(false);

  // A pending delivery changes by itself: look again every 2 s once its next attempt is
  // due (a retry hours away is not polled for), never while a look is still running.
  useInterval(() => {
    const pending = data.data?.delivery;
    if (!pending || pending.status !== 'pending' || data.loading) return;
    if (Date.parse(pending.scheduled_at) - Date.now() > 2000) return;
    data.reload();
  }, 2000);

  const redeliver = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const copy = await unwrap(
        api.POST('/v1/deliveries/{id}/redeliver', {
          params: { path: { id } },
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
      );
      navigate(`/deliveries/${copy.id}`);
    } catch (err) {
      setError(asFailure(err));
    } finally {
      setBusy(false);
    }
  };

  const d = data.data?.delivery;
  return (
    <Page
      title={`Delivery ${id.slice(0, 8)}`}
      actions={
        d ? (
          <button type="button" class="primary" onClick={() => void redeliver()} disabled={busy}>
            {busy ? 'Redelivering…' : 'Redeliver'}
          </button>
        ) : undefined
      }
    >
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
          {data.data && data.data.attempts.length === 0 ? (
            <p class="empty">No attempt yet.</p>
          ) : (
            <ol class="timeline">
              {data.data?.attempts.map((a, i) => (
                <AttemptItem key={a.id} attempt={a} n={i + 1} />
              ))}
            </ol>
          )}
        </>
      ) : null}
    </Page>
  );
}

/** One attempt; its raw exchange is rendered only once opened (bodies can be large). */
function AttemptItem({ attempt: a, n }: { attempt: Attempt; n: number }) {
  const [open, setOpen] = useState(false);
  return (
    <li data-attempt={a.id} class={a.success ? 'ok' : 'bad'}>
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>
          <span class="attempt-no">#{n}</span> <SuccessBadge success={a.success} />{' '}
          <span>{a.response_status_code ? `HTTP ${a.response_status_code}` : 'no response'}</span>{' '}
          <span class="muted">
            {formatMs(a.execution_duration)} · {formatTime(a.created_at)}
          </span>
          {a.error ? <span class="attempt-error"> — {a.error}</span> : null}
        </summary>
        {open ? (
          <>
            <Raw label="Request" text={a.raw_request} />
            <Raw label="Response" text={a.raw_response} />
          </>
        ) : null}
      </details>
    </li>
  );
}
