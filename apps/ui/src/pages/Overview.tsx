import { useState } from 'preact/hooks';
import { api, unwrap, type Stats } from '../api/client';
import { LineChart } from '../chart';
import { asFailure, ErrorBox, formatMs, Page, useInterval } from '../components';
import type { ApiFailure } from '../api/client';
import { href, Link } from '../router';

/** How often the page asks for fresh figures, and how much backlog history it keeps. */
const POLL_MS = 2000;
const BACKLOG_POINTS = 150; // five minutes

export function Overview() {
  const [stats, setStats] = useState<Stats>();
  const [error, setError] = useState<ApiFailure>();
  const [backlog, setBacklog] = useState<number[]>([]);

  useInterval(() => {
    unwrap(api.GET('/v1/stats')).then(
      (s) => {
        setStats(s);
        setError(undefined);
        setBacklog((b) => [...b, s.due_backlog].slice(-BACKLOG_POINTS));
      },
      (e: unknown) => setError(asFailure(e)),
    );
  }, POLL_MS);

  const seconds = stats?.seconds ?? [];
  const recent = seconds.slice(-10);
  const perSecond =
    recent.reduce((n, s) => n + s.succeeded + s.failed, 0) / Math.max(1, recent.length);
  const total = stats ? stats.window.succeeded + stats.window.failed : 0;
  const rate = stats && total > 0 ? (100 * stats.window.succeeded) / total : null;

  return (
    <Page title="Overview">
      <ErrorBox error={error} />
      <p class="muted">
        Live, from the database every process shares: refreshed every {POLL_MS / 1000} s.
      </p>
      <dl class="cards">
        <div>
          <dt>Attempts / s (last 10 s)</dt>
          <dd data-figure="per-second">{stats ? perSecond.toFixed(1) : '—'}</dd>
        </div>
        <div>
          <dt>Success (last minute)</dt>
          <dd>{rate === null ? '—' : `${rate.toFixed(1)} %`}</dd>
        </div>
        <div>
          <dt>Attempt p50 / p99</dt>
          <dd>
            {stats ? `${formatMs(stats.window.p50_ms)} / ${formatMs(stats.window.p99_ms)}` : '—'}
          </dd>
        </div>
        <div>
          <dt>Due backlog</dt>
          <dd data-figure="backlog">
            {stats
              ? `${stats.due_backlog_capped ? '≥ ' : ''}${stats.due_backlog.toLocaleString()}`
              : '—'}
          </dd>
        </div>
        <div>
          <dt>Open circuits</dt>
          <dd>
            {stats ? (
              <Link href={href('/webhooks')}>{stats.open_circuits.toLocaleString()}</Link>
            ) : (
              '—'
            )}
          </dd>
        </div>
        <div>
          <dt>Disabled webhooks</dt>
          <dd>{stats ? stats.disabled_webhooks.toLocaleString() : '—'}</dd>
        </div>
      </dl>
      <div class="charts">
        <LineChart
          title="Attempts per second"
          span={['60 s ago', 'now']}
          floor={10}
          format={(v) =>
            v >= 100 ? Math.round(v).toLocaleString() : String(Math.round(v * 10) / 10)
          }
          series={[
            { name: 'Succeeded', values: seconds.map((s) => s.succeeded), className: 's-ok' },
            { name: 'Failed', values: seconds.map((s) => s.failed), className: 's-bad' },
          ]}
        />
        <LineChart
          title="Attempt duration percentiles"
          span={['60 s ago', 'now']}
          floor={10}
          format={(v) => formatMs(Math.round(v))}
          series={[
            { name: 'p50', values: seconds.map((s) => s.p50_ms), className: 's-p50' },
            { name: 'p90', values: seconds.map((s) => s.p90_ms), className: 's-p90' },
            { name: 'p99', values: seconds.map((s) => s.p99_ms), className: 's-p99' },
          ]}
        />
        <LineChart
          title="Due backlog"
          floor={10}
          span={[`${Math.round((backlog.length * POLL_MS) / 1000)} s ago`, 'now']}
          format={(v) => Math.round(v).toLocaleString()}
          series={[{ name: 'Due now', values: backlog, className: 's-backlog' }]}
        />
      </div>
    </Page>
  );
}
