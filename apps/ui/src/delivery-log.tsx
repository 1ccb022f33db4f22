import { useEffect, useRef, useState } from 'preact/hooks';
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
  printable,
  Raw,
  SuccessBadge,
  useResource,
} from './components';

/** The first look again at a pending delivery, and the longest wait between looks. */
const POLL_MS = 2000;
const MAX_POLL_MS = 60_000;

/**
 * One delivery and its attempts (oldest first), as the dashboard and the portal show them:
 * each through its own client, so the portal's is scoped to the session's tenant. A pending
 * delivery changes by itself, so it is looked at again once its next attempt is due (a
 * retry hours away is not polled for), never while a look is still running: 2 s after a
 * change, then twice as long each time nothing moved, up to a minute (a pending delivery of
 * an inactive endpoint or behind an open circuit may not move for hours). Its attempts are
 * fetched again only when its count of them changed.
 */
export function useDeliveryLog(client: ApiClient, id: string) {
  const delivery = useResource(
    async () =>
      owned([await unwrap(client.GET('/v1/deliveries/{id}', { params: { path: { id } } }))])[0],
    [id],
  );
  const d = delivery.data;
  const seen = d?.id === id ? d.delivery_attempts : undefined;
  const attempts = useResource(
    async () =>
      seen === undefined
        ? undefined
        : [
            ...(
              await unwrap(
                client.GET('/v1/delivery-attempts', {
                  params: { query: { delivery_id: id, limit: 100 } },
                }),
              )
            ).delivery_attempts,
          ].reverse(),
    [id, seen],
  );
  const backoff = useRef({ moved: '', ms: POLL_MS });
  const { loading, reload } = delivery;
  useEffect(() => {
    if (!d || d.status !== 'pending' || loading) return;
    const moved = `${d.id}:${d.status}:${d.delivery_attempts}`;
    if (backoff.current.moved !== moved) backoff.current = { moved, ms: POLL_MS };
    const wait = Math.max(backoff.current.ms, Date.parse(d.scheduled_at) - Date.now());
    backoff.current.ms = Math.min(backoff.current.ms * 2, MAX_POLL_MS);
    // A hidden page does not look; it looks once shown again.
    const look = () => {
      if (document.visibilityState === 'visible') reload();
      else document.addEventListener('visibilitychange', look, { once: true });
    };
    const timer = window.setTimeout(look, wait);
    return () => {
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', look);
    };
  }, [d, loading, reload]);
  return {
    delivery: d?.id === id ? d : undefined,
    attempts: attempts.data,
    error: delivery.error ?? attempts.error,
    loading: delivery.loading,
  };
}

/**
 * Redeliver one delivery (a new pending copy) under an Idempotency-Key kept per delivery
 * until it succeeds: a click again after a lost answer replays the first copy, never makes
 * a second. `then` gets the copy's id.
 */
export function useRedeliver(client: ApiClient, then: (copyId: string) => void) {
  const [error, setError] = useState<ApiFailure>();
  const [busy, setBusy] = useState(false);
  const keys = useRef(new Map<string, string>());
  const redeliver = async (id: string) => {
    setBusy(true);
    setError(undefined);
    const key = keys.current.get(id) ?? idempotencyKey();
    keys.current.set(id, key);
    try {
      const copy = await unwrap(
        client.POST('/v1/deliveries/{id}/redeliver', {
          params: { path: { id } },
          headers: { 'Idempotency-Key': key },
        }),
      );
      keys.current.delete(id);
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

/** A dry run's count, of exactly `body`, to be confirmed under `key`. */
export interface BulkCount {
  body: BulkFilter & { created_before: string };
  count: number;
  key: string;
}

/** What a confirmation created, beside what its dry run had counted. */
export interface BulkDone {
  created: number;
  counted: number;
  status: DeliveryStatus;
}

/**
 * Bulk redeliver in two steps: the dry run's count, then a confirmation that sends exactly
 * the request the dry run counted. The count closes the window (`created_before`, now), so
 * nothing created since is sent; a delivery of the window may still have reached the status
 * meanwhile (a pending one failing), which the outcome says. The confirmation's
 * Idempotency-Key is made with the count and kept until it succeeds, so a click again after
 * a lost answer creates nothing twice. Only the latest count's answer is kept.
 */
export function useBulkRedeliver(client: ApiClient, onDone: () => void) {
  const [counted, setCounted] = useState<BulkCount>();
  const [done, setDone] = useState<BulkDone>();
  const [error, setError] = useState<ApiFailure>();
  const [busy, setBusy] = useState(false);
  const latest = useRef(0);
  const run = async (work: (mine: () => boolean) => Promise<void>) => {
    const n = ++latest.current;
    const mine = () => n === latest.current;
    setBusy(true);
    setError(undefined);
    try {
      await work(mine);
    } catch (err) {
      if (mine()) setError(asFailure(err));
    } finally {
      if (mine()) setBusy(false);
    }
  };
  const count = (filter: BulkFilter) =>
    run(async (mine) => {
      setDone(undefined);
      setCounted(undefined);
      const body = { ...filter, created_before: new Date().toISOString() };
      const result = await unwrap(
        client.POST('/v1/deliveries/redeliver', { body: { ...body, dry_run: true } }),
      );
      if (mine()) setCounted({ body, count: result.count, key: idempotencyKey() });
    });
  const confirm = () =>
    run(async (mine) => {
      if (!counted) return;
      const result = await unwrap(
        client.POST('/v1/deliveries/redeliver', {
          body: { ...counted.body, dry_run: false },
          headers: { 'Idempotency-Key': counted.key },
        }),
      );
      if (!mine()) return;
      setDone({ created: result.count, counted: counted.count, status: counted.body.status });
      setCounted(undefined);
      onDone();
    });
  const reset = () => {
    latest.current++;
    setBusy(false);
    setCounted(undefined);
    setDone(undefined);
    setError(undefined);
  };
  return { counted, done, error, busy, count, confirm, reset };
}

/**
 * What a bulk redeliver created, said as the page's status and focused (`tabIndex` -1): the
 * button that sent it is gone, and focus must not fall to the page's body.
 */
export function BulkOutcome({ done }: { done: BulkDone }) {
  const ref = useRef<HTMLParagraphElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const { created, counted, status } = done;
  const differs =
    created > counted
      ? ` — ${(created - counted).toLocaleString()} more ${status} meanwhile`
      : created < counted
        ? ` — ${(counted - created).toLocaleString()} fewer than counted, no longer there`
        : '';
  return (
    <p class="notice" role="status" tabIndex={-1} ref={ref} data-recovered={created}>
      {created.toLocaleString()} new {created === 1 ? 'delivery' : 'deliveries'} created{differs}.
    </p>
  );
}

/**
 * A delivery's attempts as a timeline. Everything an endpoint sent back (headers, bodies,
 * binary or hostile) goes through Raw, and its error through `printable`: text nodes only,
 * control and invisible format characters escaped.
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
          {a.error ? <span class="attempt-error"> — {printable(a.error, 1024).text}</span> : null}
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
