import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DUE_NOW, PARKED_DUE_NOW, unleased } from './claim.sql';

/** The due backlog, and the webhooks held back, as metrics and /v1/stats report them. */
export interface DispatchBacklog {
  /** Deliveries due now and not in flight, counted up to the cap asked for. */
  due: number;
  /** How long the oldest of them has been due; 0 when none is. */
  oldestDueSeconds: number;
  openCircuits: number;
  disabledWebhooks: number;
}

/**
 * The due backlog, cheaply. $1 the cap: deliveries due now and not in flight (plain and
 * parked alike: what the claims would take if they had room), counted along the due
 * index up to $1 each (a full count of a huge backlog would cost a scan per scrape); how
 * long the oldest of them has been due, in seconds; the webhooks with an open circuit and
 * the ones disabled by the breaker.
 */
const BACKLOG_SQL = `SELECT (SELECT count(*)::int FROM (
                 SELECT 1 FROM deliveries d WHERE ${DUE_NOW} LIMIT $1) capped)
              + (SELECT count(*)::int FROM (
                 SELECT 1 FROM deliveries d WHERE ${PARKED_DUE_NOW} LIMIT $1) capped) AS due,
              (SELECT extract(epoch FROM now() - least(
                 (SELECT min(d.scheduled_at) FROM deliveries d WHERE ${DUE_NOW}),
                 -- Each marked webhook's oldest parked due delivery, through the index.
                 (SELECT min(x.scheduled_at) FROM webhooks w
                  CROSS JOIN LATERAL (
                    SELECT d.scheduled_at FROM deliveries d
                    WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.parked
                      AND d.scheduled_at <= now() AND ${unleased()}
                    ORDER BY d.scheduled_at LIMIT 1) x
                  WHERE w.parked AND w.active)
               ))::float8) AS oldest,
              w.open, w.disabled
       FROM (SELECT count(*) FILTER (WHERE circuit_open_until IS NOT NULL)::int AS open,
                    count(*) FILTER (WHERE NOT active AND disabled_reason IS NOT NULL)::int
                      AS disabled
             FROM webhooks) w`;

/** Counts the dispatch's backlog for the worker's metrics and the API's /v1/stats. */
@Injectable()
export class BacklogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The due backlog (BACKLOG_SQL), counted up to `cap`, and the webhooks held back by
   * their health.
   */
  async backlog(cap: number): Promise<DispatchBacklog> {
    const [row] = await this.dataSource.query<
      { due: number; oldest: number | null; open: number; disabled: number }[]
    >(BACKLOG_SQL, [cap]);
    return {
      due: Math.min(cap, row.due),
      oldestDueSeconds: Math.max(0, row.oldest ?? 0),
      openCircuits: row.open,
      disabledWebhooks: row.disabled,
    };
  }
}
