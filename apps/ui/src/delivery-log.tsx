import { useState } from 'preact/hooks';
import {
  idempotencyKey,
  owned,
  unwrap,
  type ApiClient,
  type ApiFailure,
  type Attempt,
  type DeliveryStatus,
} from './api/client';
import {
  asFailure,
  formatMs,
  formatTime,
  Raw,
  SuccessBadge,
  useInterval,
  useResource,
} from './components';

/**
 * One delivery and its attempts (oldest first), as the dashboard and the portal show them:
 * each through its own client, so the portal's is scoped to the session's tenant. A pending
 * delivery changes by itself: it is looked at again every 2 s once its next attempt is due
 * (a retry hours away is not polled for), never while a look is still running.
 */
export function useDeliveryLog(client: ApiClient, id: string) {
  const data = useResource(async () => {
    const [delivery, attempts] = await Promise.all([
      unwrap(client.GET('/v1/deliveries/{id}', { params: { path: { id } } })),
      unwrap(
        client.GET('/v1/delivery-attempts', { params: { query: { delivery_id: id, limit: 100 } } }),
      ),
    ]);
    return { delivery: owned([delivery])[0], attempts: [...attempts.delivery_attempts].reverse() };
  }, [id]);
  useInterval(() => {
    const pending = data.data?.delivery;
    if (!pending || pending.status !== 'pending' || data.loading) return;
    if (Date.parse(pending.scheduled_at) - Date.now() > 2000) return;
    data.reload();
  }, 2000);
  return data;
}

/** Redeliver one delivery (a new pending copy, under an Idempotency-Key); `then` gets its id. */
export function useRedeliver(client: ApiClient, then: (copyId: string) => void) {
  const [error, setError] = useState<ApiFailure>();
  const [busy, setBusy] = useState(false);
  const redeliver = async (id: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const copy = await unwrap(
        client.POST('/v1/deliveries/{id}/redeliver', {
          params: { path: { id } },
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
      );
      then(copy.id);
    } catch (err) {
      setError(asFailure(err));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, redeliver };
}

/** What §7's bulk redeliver matches. */
export interface BulkFilter {
  status: DeliveryStatus;
  webhook_id?: string;
  event_type?: string;
  created_after?: string;
}

/**
 * Bulk redeliver in two steps: the dry run's count, then a confirmation that sends exactly
 * the request the dry run counted, reporting how many new deliveries it created.
 */
export function useBulkRedeliver(client: ApiClient, onDone: () => void) {
  const [counted, setCounted] = useState<{ body: BulkFilter; count: number }>();
  const [done, setDone] = useState<number>();
  const [error, setError] = useState<ApiFailure>();
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (err) {
      setError(asFailure(err));
    } finally {
      setBusy(false);
    }
  };
  const count = (body: BulkFilter) =>
    run(async () => {
      setDone(undefined);
      setCounted(undefined);
      const result = await unwrap(
        client.POST('/v1/deliveries/redeliver', { body: { ...body, dry_run: true } }),
      );
      setCounted({ body, count: result.count });
    });
  const confirm = () =>
    run(async () => {
      if (!counted) return;
      const result = await unwrap(
        client.POST('/v1/deliveries/redeliver', {
          body: { ...counted.body, dry_run: false },
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
      );
      setDone(result.count);
      setCounted(undefined);
      onDone();
    });
  const reset = () => {
    setCounted(undefined);
    setDone(undefined);
    setError(undefined);
  };
  return { counted, done, error, busy, count, confirm, reset };
}

/**
 * A delivery's attempts as a timeline. Everything an endpoint sent back (headers, bodies,
 * binary or hostile) goes through Raw: text nodes only, control characters escaped.
 */
export function Attempts({ attempts }: { attempts: Attempt[] | undefined }) {
  if (!attempts) return null;
  if (attempts.length === 0) return <p class="empty">No attempt yet.</p>;
  return (
    <ol class="timeline">
      {attempts.map((a, i) => (
        <AttemptItem key={a.id} attempt={a} n={i + 1} />
      ))}
    </ol>
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
