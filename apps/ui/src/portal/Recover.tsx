import { useState } from 'preact/hooks';
import { ErrorBox, formatTime, type Resource } from '../components';
import { useBulkRedeliver } from '../delivery-log';
import { EndpointField, type TenantEndpoints } from './endpoint-field';
import { portalApi } from './session';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A time as a datetime-local field holds it: local, to the minute. */
function localInput(at: Date): string {
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/**
 * "Recover failed deliveries": every failed delivery since a chosen time (of one endpoint,
 * or of all the tenant's) sent again as a new pending delivery, by §7's bulk redeliver.
 * The dry run's count comes first; the confirmation sends exactly what it counted, and
 * changing the form drops the count.
 */
export function Recover(props: {
  endpoints: Resource<TenantEndpoints>;
  webhookId: string | undefined;
  onDone: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState<string>();
  const bulk = useBulkRedeliver(portalApi, props.onDone);
  const counted = bulk.counted;

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
    const since = new Date(text('since'));
    const webhookId = text('webhook_id');
    if (Number.isNaN(since.getTime())) {
      setProblem('Pick the time to recover from.');
      return;
    }
    setProblem(undefined);
    void bulk.count({
      status: 'failed',
      created_after: since.toISOString(),
      webhook_id: webhookId || undefined,
    });
  };
  const since = counted?.body.created_after;

  return (
    <div class="panel" role="region" aria-label="Recover failed deliveries">
      <h2>Recover failed deliveries</h2>
      <p>
        Send again every delivery that failed since a time: each gets a new pending delivery with
        the same payload.
      </p>
      <form class="filters" onSubmit={count} onInput={() => bulk.counted && bulk.reset()}>
        <div class="field">
          <label for="r-since">Failed since</label>
          <input
            id="r-since"
            name="since"
            type="datetime-local"
            required
            defaultValue={localInput(new Date(Date.now() - DAY_MS))}
          />
        </div>
        <EndpointField
          id="r-endpoint"
          value={props.webhookId}
          endpoints={props.endpoints}
          any="Every endpoint"
        />
        <div class="actions">
          <button type="submit" disabled={bulk.busy}>
            Count
          </button>
        </div>
      </form>
      {problem ? (
        <div class="error" role="alert">
          {problem}
        </div>
      ) : null}
      <ErrorBox error={bulk.error} />
      {counted ? (
        <p data-recover-count={counted.count} role="status">
          <strong>{counted.count.toLocaleString()}</strong> failed{' '}
          {counted.count === 1 ? 'delivery' : 'deliveries'} since {formatTime(since)} will be sent
          again.
        </p>
      ) : null}
      {bulk.done !== undefined ? (
        <p class="notice" role="status" data-recovered={bulk.done}>
          {bulk.done.toLocaleString()} new {bulk.done === 1 ? 'delivery' : 'deliveries'} created.
        </p>
      ) : null}
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
          {bulk.done !== undefined ? 'Close' : 'Cancel'}
        </button>
      </div>
    </div>
  );
}
