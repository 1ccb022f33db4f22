import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BacklogRepository } from '../dispatch/backlog.repository';

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

/** One second's attempts: counts, and how many took each duration (exact percentiles). */
interface SecondTally {
  succeeded: number;
  failed: number;
  durations: Map<number, number>;
}

const emptyTally = (): SecondTally => ({ succeeded: 0, failed: 0, durations: new Map() });

/** A second is final this long after it ended: later commits into it are not expected. */
const SETTLE_MS = 4000;

/** percentile_disc over tallied durations: the least value with at least `p` of them at or below. */
function percentiles(durations: Map<number, number>, ps: number[]): (number | null)[] {
  let total = 0;
  for (const n of durations.values()) total += n;
  if (total === 0) return ps.map(() => null);
  const sorted = [...durations].sort(([a], [b]) => a - b);
  return ps.map((p) => {
    let seen = 0;
    for (const [value, n] of sorted) {
      seen += n;
      if (seen >= p * total - 1e-9) return value;
    }
    return sorted[sorted.length - 1][0];
  });
}

function figuresOf(tallies: SecondTally[]): AttemptFigures {
  const durations = new Map<number, number>();
  let succeeded = 0;
  let failed = 0;
  for (const t of tallies) {
    succeeded += t.succeeded;
    failed += t.failed;
    for (const [d, n] of t.durations) durations.set(d, (durations.get(d) ?? 0) + n);
  }
  const [p50Ms, p90Ms, p99Ms] = percentiles(durations, [0.5, 0.9, 0.99]);
  return { succeeded, failed, p50Ms, p90Ms, p99Ms };
}

/**
 * Figures read from the tables every process writes, so each API process shows the whole
 * service. One computation a second per process, however many dashboards poll it, reading
 * only the seconds of attempts not yet final (along `delivery_attempts (created_at, id)`).
 */
@Injectable()
export class DeliveryStatsService {
  /** The last figures and when they were finished; the computation under way, if any. */
  private cached: { at: number; value: DeliveryStats } | undefined;
  private running: Promise<DeliveryStats> | undefined;
  /** Seconds already final, by their start (epoch ms): read once, not once a second. */
  private readonly settled = new Map<number, SecondTally>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly dispatch: BacklogRepository,
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

  /**
   * The window's seconds: those already final come from memory, the others (the last few,
   * or the whole minute the first time) from one query that tallies attempts by second,
   * outcome and duration. So a figure reads a few seconds of attempts, not a minute of them,
   * and the percentiles stay exact (percentile_disc over the tallies).
   */
  private async compute(): Promise<DeliveryStats> {
    const settledUpTo = Math.max(0, ...this.settled.keys());
    const from = settledUpTo === 0 ? 0 : settledUpTo + 1000;
    const [rows, backlog] = await Promise.all([
      // The window ends a second before the current one: an attempt is stamped with its
      // transaction's start and committed a little later, so the newest second is still
      // filling. The bounds are written out in the WHERE so that partitions are pruned.
      this.dataSource.query<
        {
          upto: number;
          generated_at: Date;
          at: number | null;
          success: boolean | null;
          duration: number | null;
          n: number | null;
        }[]
      >(
        `SELECT (extract(epoch FROM date_trunc('second', now()) - interval '1 second') * 1000)::float8
                  AS upto,
                now() AS generated_at, x.at, x.success, x.duration, x.n
         FROM (SELECT 1) one
         LEFT JOIN LATERAL (
           SELECT (extract(epoch FROM date_trunc('second', a.created_at)) * 1000)::float8 AS at,
                  a.success, a.execution_duration AS duration, count(*)::int AS n
           FROM delivery_attempts a
           WHERE a.created_at >= greatest(
                   date_trunc('second', now()) - interval '1 second' - make_interval(secs => $1),
                   to_timestamp($2::float8 / 1000))
             AND a.created_at < date_trunc('second', now()) - interval '1 second'
           GROUP BY 1, 2, 3) x ON true`,
        [STATS_WINDOW_SECONDS, from],
      ),
      this.dispatch.backlog(STATS_BACKLOG_CAP),
    ]);
    const upto = rows[0].upto;
    const since = upto - STATS_WINDOW_SECONDS * 1000;
    const fresh = new Map<number, SecondTally>();
    for (const r of rows) {
      if (r.at === null || r.n === null || r.duration === null) continue;
      let tally = fresh.get(r.at);
      if (!tally) fresh.set(r.at, (tally = emptyTally()));
      if (r.success) tally.succeeded += r.n;
      else tally.failed += r.n;
      tally.durations.set(r.duration, (tally.durations.get(r.duration) ?? 0) + r.n);
    }
    const seconds: SecondFigures[] = [];
    const tallies: SecondTally[] = [];
    for (let at = since; at < upto; at += 1000) {
      const tally = this.settled.get(at) ?? fresh.get(at) ?? emptyTally();
      if (at < upto - SETTLE_MS && at >= from) this.settled.set(at, tally);
      tallies.push(tally);
      seconds.push({ at: new Date(at), ...figuresOf([tally]) });
    }
    for (const at of this.settled.keys()) if (at < since) this.settled.delete(at);
    return {
      generatedAt: rows[0].generated_at,
      windowSeconds: STATS_WINDOW_SECONDS,
      seconds,
      window: figuresOf(tallies),
      dueBacklog: backlog.due,
      dueBacklogCapped: backlog.due >= STATS_BACKLOG_CAP,
      oldestDueSeconds: backlog.oldestDueSeconds,
      openCircuits: backlog.openCircuits,
      disabledWebhooks: backlog.disabledWebhooks,
    };
  }
}
