import { api, unwrap, type Webhook, type WebhookSuccess } from '../api/client';
import { CircuitBadge, formatTime, Page, useResource } from '../components';
import { ListView } from '../list-view';
import { href, Link, type Location } from '../router';

const PAGE = 50;

function SuccessRate({ rate }: { rate: WebhookSuccess | undefined }) {
  if (!rate || rate.success_rate === null) return <span class="muted">no attempts</span>;
  const pct = Math.round(rate.success_rate * 1000) / 10;
  const tone = pct >= 99 ? 'ok' : pct >= 90 ? 'warn' : 'bad';
  return (
    <span
      class={`rate rate-${tone}`}
      title={`${rate.successes} of the last ${rate.attempts} attempts`}
    >
      {pct} % <span class="muted">of {rate.attempts}</span>
    </span>
  );
}

function limits(w: Webhook): string {
  const parts: string[] = [];
  if (w.max_concurrency !== null) parts.push(`≤ ${w.max_concurrency} at once`);
  if (w.rate_limit !== null) parts.push(`${w.rate_limit}/s`);
  if (w.ordering === 'fifo') parts.push('FIFO');
  return parts.join(', ') || '—';
}

export function Webhooks({ location }: { location: Location }) {
  const after = location.query.get('after') ?? undefined;
  const active = location.query.get('active') ?? '';
  const list = useResource(async () => {
    const page = await unwrap(
      api.GET('/v1/webhooks', {
        params: {
          query: { limit: PAGE, after, active: active === '' ? undefined : active === 'true' },
        },
      }),
    );
    const rates =
      page.webhooks.length === 0
        ? []
        : (
            await unwrap(
              api.GET('/v1/stats/webhooks', {
                params: { query: { webhook_ids: page.webhooks.map((w) => w.id).join(',') } },
              }),
            )
          ).webhooks;
    return { page, rates: new Map(rates.map((r) => [r.webhook_id, r])) };
  }, [after, active]);

  return (
    <Page
      title="Webhooks"
      actions={
        <Link class="button primary" href={href('/webhooks/new')}>
          New webhook
        </Link>
      }
    >
      <nav class="filters" aria-label="Filter webhooks">
        <span>Show:</span>
        {[
          ['', 'All'],
          ['true', 'Active'],
          ['false', 'Inactive'],
        ].map(([value, label]) => (
          <Link
            key={value}
            href={href('/webhooks', { active: value })}
            aria-current={active === value ? 'page' : undefined}
            class="chip"
          >
            {label}
          </Link>
        ))}
      </nav>
      <ListView
        error={list.error}
        loading={list.loading}
        items={list.data?.page.webhooks}
        empty={
          <>
            No webhooks yet. <Link href={href('/webhooks/new')}>Create one</Link>.
          </>
        }
        columns={['Name', 'URL', 'Circuit', 'Success (last 100)', 'Limits', 'Events', 'Deliveries']}
        row={(w) => (
          <tr key={w.id} data-webhook={w.id}>
            <td>
              <Link href={href(`/webhooks/${w.id}`)}>{w.name}</Link>
            </td>
            <td class="url" title={w.url}>
              {w.url}
            </td>
            <td>
              <CircuitBadge webhook={w} />
              {w.circuit.state === 'open' && w.circuit.open_until ? (
                <div class="muted small">until {formatTime(w.circuit.open_until)}</div>
              ) : null}
            </td>
            <td>
              <SuccessRate rate={list.data?.rates.get(w.id)} />
            </td>
            <td>{limits(w)}</td>
            <td class="small">{w.event_types.join(', ') || '—'}</td>
            <td>
              <Link href={href('/deliveries', { webhook_id: w.id })}>Deliveries</Link>
            </td>
          </tr>
        )}
        paging={{
          first: href('/webhooks', { active }),
          next: list.data?.page.next_cursor
            ? href('/webhooks', { active, after: list.data.page.next_cursor })
            : undefined,
          paged: !!after,
        }}
      />
    </Page>
  );
}
