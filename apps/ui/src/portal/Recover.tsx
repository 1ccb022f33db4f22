import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorBox, formatTime, type Resource } from '../components';
import { BulkOutcome, useBulkRedeliver } from '../delivery-log';
import { endpointName, EndpointField, type TenantEndpoints } from './endpoint-field';
import { portalApi } from './session';

/** How far back "since" starts: a week, so a failure of the last days is in by default. */
const DEFAULT_BACK_MS = 7 * 24 * 60 * 60 * 1000;

/** A time as a datetime-local field holds it: local, to the minute. */
function localInput(at: Date): string {
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/**
 * "Recover failed deliveries": every failed delivery created since a chosen time (of one
 * endpoint, or of all the tenant's) sent again as a new pending delivery, by §7's bulk
 * redeliver, which matches on when a delivery was created (`created_after`), not on when
 * it failed. The dry run's count comes first, up to now; the confirmation sends exactly
 * what it counted. The form is shut while a count runs, and changing it drops the count.
 */
export function Recover(props: {
  endpoints: Resource<TenantEndpoints>;
  webhookId: string | undefined;
  onDone: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [since] = useState(() => localInput(new Date(Date.now() - DEFAULT_BACK_MS)));
  const bulk = useBulkRedeliver(portalApi, props.onDone);
  const { counted, done } = bulk;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (open) heading.current?.focus();
  }, [open]);

  if (!open) {
    return (
      <p>
        <button type="button" onClick={() => setOpen(true)}>
          Recover failed deliveries…
        </button>
      </p>
    );
  }

  const count = (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const text = (name: string) => {
      const value = data.get(name);
      return typeof value === 'string' ? value.trim() : '';
    };
    const from = new Date(text('since'));
    const webhookId = text('webhook_id');
    if (Number.isNaN(from.getTime())) {
      setProblem('Pick the time to recover from.');
      return;
    }
    setProblem(undefined);
    void bulk.count({
      status: 'failed',
      created_after: from.toISOString(),
      webhook_id: webhookId || undefined,
    });
  };
  const whose = (id: string | undefined) =>
    id ? `of ${endpointName(props.endpoints.data?.byId.get(id), id)}` : 'of every endpoint';

  return (
    <div class="panel" role="region" aria-labelledby="recover-title">
      <h2 id="recover-title" tabIndex={-1} ref={heading}>
        Recover failed deliveries
      </h2>
      <p>
        Send again every failed delivery created since a time: each gets a new pending delivery with
        the same payload.
      </p>
      <form class="filters" onSubmit={count} onInput={() => bulk.counted && bulk.reset()}>
        <fieldset disabled={bulk.busy}>
          <div class="field">
            <label for="r-since">Failed deliveries created since</label>
            <input
              id="r-since"
              name="since"
              type="datetime-local"
              required
              defaultValue={since}
              aria-describedby="r-since-hint"
            />
            <small id="r-since-hint" class="hint">
              When the delivery was made, not when it failed: one still being retried then was
              created earlier. A week back by default.
            </small>
          </div>
          <EndpointField
            id="r-endpoint"
            value={props.webhookId}
            endpoints={props.endpoints}
            any="Every endpoint"
          />
          <div class="actions">
            <button type="submit">{bulk.busy && !counted ? 'Counting…' : 'Count'}</button>
          </div>
        </fieldset>
      </form>
      {problem ? (
        <div class="error" role="alert">
          {problem}
        </div>
      ) : null}
      <ErrorBox error={bulk.error} />
      {counted ? (
        <p data-recover-count={counted.count} role="status">
          {counted.count === 0 ? (
            <>
              Nothing failed since {formatTime(counted.body.created_after)}{' '}
              {whose(counted.body.webhook_id)}.
            </>
          ) : (
            <>
              <strong>{counted.count.toLocaleString()}</strong> failed{' '}
              {counted.count === 1 ? 'delivery' : 'deliveries'} {whose(counted.body.webhook_id)}{' '}
              since {formatTime(counted.body.created_after)} will be sent again.
            </>
          )}
        </p>
      ) : null}
      {done ? <BulkOutcome done={done} /> : null}
      <div class="actions">
        {counted && counted.count > 0 ? (
          <button
            type="button"
            class="primary"
            disabled={bulk.busy}
            onClick={() => void bulk.confirm()}
          >
            Send {counted.count.toLocaleString()} again
          </button>
        ) : null}
        <button
          type="button"
          onClick={() => {
            setOpen(false);
            setProblem(undefined);
            bulk.reset();
          }}
        >
          {done ? 'Close' : 'Cancel'}
        </button>
      </div>
    </div>
  );
}
