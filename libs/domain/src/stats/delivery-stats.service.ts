import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeliveryDispatchRepository } from '../delivery/delivery-dispatch.repository';

/** The live figures the dashboard charts: the last minute, second by second. */
export const STATS_WINDOW_SECONDS = 60;
/** The due backlog is counted along the due index up to this many rows ("at least"). */
export const STATS_BACKLOG_CAP = 100_000;
/** A webhook's success rate is that of its most recent attempts, this many at most. */
export const SUCCESS_RATE_ATTEMPTS = 100;
/** Webhooks one success-rate request may ask for (a page of the dashboard's list). */
export const SUCCESS_RATE_MAX_WEBHOOKS = 100;
/** How long one computed figure is served to every caller of this process. */
const CACHE_MS = 1000;

export interface AttemptFigures {
  succeeded: number;
  failed: number;
  /** Attempt duration percentiles in ms; null when there was no attempt. */
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
}

export interface SecondFigures extends AttemptFigures {
  /** The start of the second. */
  at: Date;
}

export interface DeliveryStats {
  generatedAt: Date;
  windowSeconds: number;
  /** Every whole second of the window, oldest first, zeros included. */
  seconds: SecondFigures[];
  /** The whole window at once. */
  window: AttemptFigures;
  dueBacklog: number;
  /** True when the backlog is at least `dueBacklog` (the count stopped at its cap). */
  dueBacklogCapped: boolean;
  oldestDueSeconds: number;
  openCircuits: number;
  disabledWebhooks: number;
}

export interface WebhookSuccess {
  webhookId: string;
  /** Attempts looked at: the most recent ones, at most SUCCESS_RATE_ATTEMPTS. */
  attempts: number;
  successes: number;
  lastAttemptAt: Date | null;
}

interface FigureRow {
  at: Date | null;
  succeeded: number;
  failed: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/**
 * Figures read from the tables every process writes, so each API process shows the whole
 * service. One computation a second per process, however many dashboards poll it: the
 * window's attempts are read along `delivery_attempts (created_at, id)`, so a figure costs
 * one minute of attempts, not the table.
 */
@Injectable()
export class DeliveryStatsService {
  /** The last figures and when they were finished; the computation under way, if any. */
  private cached: { at: number; value: DeliveryStats } | undefined;
  private running: Promise<DeliveryStats> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly dispatch: DeliveryDispatchRepository,
  ) {}

  /**
   * Figures at most a second old. Callers that arrive while they are computed share that
   * computation, so a slow one never stacks up others behind it.
   */
  current(): Promise<DeliveryStats> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) {
      return Promise.resolve(this.cached.value);
    }
    this.running ??= this.compute().then(
      (value) => {
        this.cached = { at: Date.now(), value };
        this.running = undefined;
        return value;
      },
      (err: unknown) => {
        this.running = undefined;
        throw err;
      },
    );
    return this.running;
  }

  /** Each webhook's recent success, in the order asked; a webhook never tried has zeros. */
  async successRates(webhookIds: string[]): Promise<WebhookSuccess[]> {
    const rows = await this.dataSource.query<
      { id: string; attempts: number; successes: number; last: Date | null }[]
    >(
      `SELECT w.id, x.attempts, x.successes, x.last
       FROM unnest($1::uuid[]) WITH ORDINALITY AS w(id, n)
       CROSS JOIN LATERAL (
         SELECT count(*)::int AS attempts, count(*) FILTER (WHERE r.success)::int AS successes,
                max(r.created_at) AS last
         FROM (SELECT a.success, a.created_at FROM delivery_attempts a
               WHERE a.webhook_id = w.id ORDER BY a.created_at DESC, a.id DESC LIMIT $2) r) x
       ORDER BY w.n`,
      [webhookIds, SUCCESS_RATE_ATTEMPTS],
    );
    return rows.map((r) => ({
      webhookId: r.id,
      attempts: r.attempts,
      successes: r.successes,
      lastAttemptAt: r.last,
    }));
  }

  private async compute(): Promise<DeliveryStats> {
    const [rows, backlog] = await Promise.all([
      this.dataSource.query<(FigureRow & { generated_at: Date })[]>(
        // The window ends a second before the current one: an attempt is stamped with its
        // transaction's start and committed a little later, so the newest second is still
        // filling. The bounds are written out in the WHERE (not read from the CTE) so that
        // the partitions outside the minute are pruned.
        `WITH bounds AS (
           SELECT date_trunc('second', now()) - interval '1 second' AS upto,
                  date_trunc('second', now()) - interval '1 second'
                    - make_interval(secs => $1) AS since,
                  now() AS generated_at),
         figures AS (
           SELECT date_trunc('second', a.created_at) AS at,
                  count(*) FILTER (WHERE a.success)::int AS succeeded,
                  count(*) FILTER (WHERE NOT a.success)::int AS failed,
                  percentile_disc(0.5) WITHIN GROUP (ORDER BY a.execution_duration) AS p50,
                  percentile_disc(0.9) WITHIN GROUP (ORDER BY a.execution_duration) AS p90,
                  percentile_disc(0.99) WITHIN GROUP (ORDER BY a.execution_duration) AS p99
           FROM delivery_attempts a
           WHERE a.created_at >= date_trunc('second', now()) - interval '1 second'
                                   - make_interval(secs => $1)
             AND a.created_at < date_trunc('second', now()) - interval '1 second'
           GROUP BY ROLLUP (1))
         SELECT s.at, coalesce(f.succeeded, 0) AS succeeded, coalesce(f.failed, 0) AS failed,
                f.p50, f.p90, f.p99, b.generated_at
         FROM bounds b
         CROSS JOIN LATERAL generate_series(b.since, b.upto - interval '1 second',
                                            interval '1 second') AS s(at)
         LEFT JOIN figures f ON f.at = s.at
         UNION ALL
         SELECT NULL, coalesce(f.succeeded, 0), coalesce(f.failed, 0), f.p50, f.p90, f.p99,
                b.generated_at
         FROM bounds b LEFT JOIN figures f ON f.at IS NULL
         ORDER BY 1 NULLS LAST`,
        [STATS_WINDOW_SECONDS],
      ),
      this.dispatch.backlog(STATS_BACKLOG_CAP),
    ]);
    const figures = (r: FigureRow): AttemptFigures => ({
      succeeded: r.succeeded,
      failed: r.failed,
      p50Ms: r.p50,
      p90Ms: r.p90,
      p99Ms: r.p99,
    });
    const seconds = rows.filter((r) => r.at !== null);
    const total = rows.find((r) => r.at === null) ?? rows[rows.length - 1];
    return {
      generatedAt: rows[0].generated_at,
      windowSeconds: STATS_WINDOW_SECONDS,
      seconds: seconds.map((r) => ({ at: r.at as Date, ...figures(r) })),
      window: figures(total),
      dueBacklog: backlog.due,
      dueBacklogCapped: backlog.due >= STATS_BACKLOG_CAP,
      oldestDueSeconds: backlog.oldestDueSeconds,
      openCircuits: backlog.openCircuits,
      disabledWebhooks: backlog.disabledWebhooks,
    };
  }
}
