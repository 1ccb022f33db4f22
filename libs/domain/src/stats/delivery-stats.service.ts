import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/domain-errors';
import type { Scope } from '../tenant/scope';
import { BacklogRepository } from '../dispatch/backlog.repository';
import {
  DeliveryStatsRepository,
  type AttemptTally,
  type WebhookSuccess,
} from './delivery-stats.repository';

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

/** One second's attempts: counts, and how many took each duration (exact percentiles). */
interface SecondTally {
  succeeded: number;
  failed: number;
  durations: Map<number, number>;
}

const emptyTally = (): SecondTally => ({ succeeded: 0, failed: 0, durations: new Map() });

/** Adds a read tally to its second's. */
function add(seconds: Map<number, SecondTally>, r: AttemptTally): void {
  let tally = seconds.get(r.at);
  if (!tally) seconds.set(r.at, (tally = emptyTally()));
  if (r.success) tally.succeeded += r.n;
  else tally.failed += r.n;
  tally.durations.set(r.duration, (tally.durations.get(r.duration) ?? 0) + r.n);
}

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
    private readonly stats: DeliveryStatsRepository,
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

  /**
   * Each webhook's recent success (its last SUCCESS_RATE_ATTEMPTS attempts at most), in the
   * order asked; a webhook never tried has zeros. A tenant's scope (§12) asks for its own
   * webhooks only: any other id, unknown or another tenant's alike, is "webhook not found",
   * so an answer never echoes an id outside the tenant.
   */
  async successRates(scope: Scope, webhookIds: string[]): Promise<WebhookSuccess[]> {
    if (scope.kind === 'tenant') {
      const distinct = new Set(webhookIds).size;
      if ((await this.stats.countInScope(scope, webhookIds)) !== distinct) {
        throw new NotFoundError('webhook');
      }
    }
    return this.stats.successRates(scope, webhookIds, SUCCESS_RATE_ATTEMPTS);
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
    const [read, backlog] = await Promise.all([
      this.stats.attemptTallies(STATS_WINDOW_SECONDS, from),
      this.dispatch.backlog(STATS_BACKLOG_CAP),
    ]);
    const upto = read.upto;
    const since = upto - STATS_WINDOW_SECONDS * 1000;
    const fresh = new Map<number, SecondTally>();
    for (const r of read.tallies) add(fresh, r);
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
      generatedAt: read.generatedAt,
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
