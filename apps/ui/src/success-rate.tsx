import type { Client } from 'openapi-fetch';
import { unwrap, type WebhookSuccess } from './api/client';
import type { paths } from './api/schema';

/**
 * The success rates of the given webhooks (GET /v1/stats/webhooks), by webhook id: those
 * of one page of a list, never all of them. The dashboard asks with its key, the portal
 * with its session (scoped to its tenant by the API).
 */
export async function successRates(
  client: Client<paths>,
  ids: string[],
): Promise<Map<string, WebhookSuccess>> {
  if (ids.length === 0) return new Map();
  const { webhooks } = await unwrap(
    client.GET('/v1/stats/webhooks', { params: { query: { webhook_ids: ids.join(',') } } }),
  );
  return new Map(webhooks.map((r) => [r.webhook_id, r]));
}

/**
 * A webhook's success rate over its last attempts, coloured by how good it is, from the
 * rates of its page (a resource of successRates): "…" while they load (no
 * `data-success-rate` until then) and "—" when they cannot be read.
 */
export function SuccessRate(props: {
  rates: { data?: Map<string, WebhookSuccess>; error?: unknown; loading: boolean };
  id: string;
}) {
  const { rates, id } = props;
  if (rates.loading) {
    // Not the rates kept from a page before, which need not be this one's.
    return (
      <span class="muted" aria-busy="true">
        …
      </span>
    );
  }
  if (rates.error || !rates.data) {
    return (
      <span class="muted" data-success-rate="unavailable" title="The success rate cannot be read">
        —
      </span>
    );
  }
  const rate = rates.data.get(id);
  if (!rate || rate.success_rate === null) {
    return (
      <span class="muted" data-success-rate="">
        no attempts
      </span>
    );
  }
  const pct = Math.round(rate.success_rate * 1000) / 10;
  const tone = pct >= 99 ? 'ok' : pct >= 90 ? 'warn' : 'bad';
  return (
    <span
      class={`rate rate-${tone}`}
      title={`${rate.successes} of the last ${rate.attempts} attempts`}
      data-success-rate={String(rate.success_rate)}
    >
      {pct} % <span class="muted">of {rate.attempts}</span>
    </span>
  );
}
