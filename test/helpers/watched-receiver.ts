import type * as http from 'node:http';
import type { DataSource } from 'typeorm';
import { Receiver, type ReceivedRequest } from './receiver';

/** What a receiver saw of each request: when it started and when its answer ended. */
export interface Exchange {
  deliveryId: string;
  start: number;
  end?: number;
  status: number;
}

/**
 * A receiver that answers after `delayMs` with `status(req)`, and keeps the exchanges and
 * the most requests it had in flight at once.
 */
export async function watchedReceiver(
  delayMs: () => number,
  status: (req: ReceivedRequest) => number = () => 200,
): Promise<{ receiver: Receiver; exchanges: Exchange[]; most: () => number }> {
  const receiver = await Receiver.start();
  const exchanges: Exchange[] = [];
  let inFlight = 0;
  let most = 0;
  receiver.respond = (req, res: http.ServerResponse) => {
    const exchange: Exchange = {
      deliveryId: String(req.headers['webhook-id']),
      start: req.at,
      status: status(req),
    };
    exchanges.push(exchange);
    most = Math.max(most, ++inFlight);
    setTimeout(() => {
      inFlight--;
      exchange.end = Date.now();
      res.writeHead(exchange.status).end('ok');
    }, delayMs());
  };
  return { receiver, exchanges, most: () => most };
}

/**
 * Inserts `n` pending deliveries at once, due now, created in order a millisecond apart
 * (the fastest way to a backlog), and wakes the workers.
 */
export async function insertBacklog(
  dataSource: DataSource,
  webhookId: string,
  n: number,
  status: 'pending' | 'failed' = 'pending',
): Promise<void> {
  await dataSource.query(
    `INSERT INTO deliveries (webhook_id, payload, scheduled_at, created_at, status,
                             delivery_attempts)
     SELECT $1, json_build_object('n', g)::text, now(),
            now() - make_interval(secs => ($2 - g) * 0.001), $3, CASE WHEN $3 = 'failed' THEN 1 ELSE 0 END
     FROM generate_series(1, $2) g`,
    [webhookId, n, status],
  );
  await dataSource.query(`SELECT pg_notify('postmand_wakeup', '0')`);
}
