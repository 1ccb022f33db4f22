import { Counter, type Registry } from 'prom-client';

/**
 * Portal sessions in the metrics (§12): made, revoked, and requests that presented one by
 * outcome. Counts only: no label ever holds a token, a tenant or anything a client sent.
 */
export class PortalMetrics {
  readonly created: Counter;
  readonly revoked: Counter;
  private readonly authenticated: Counter<'outcome'>;

  constructor(registry: Registry) {
    this.created = new Counter({
      name: 'postmand_portal_sessions_created_total',
      help: 'Portal sessions created.',
      registers: [registry],
    });
    this.revoked = new Counter({
      name: 'postmand_portal_sessions_revoked_total',
      help: 'Revocations of portal sessions: of all a tenant’s, or of one.',
      registers: [registry],
    });
    this.authenticated = new Counter({
      name: 'postmand_portal_session_requests_total',
      help: 'API requests that presented a portal session token, by outcome (ok, unknown, expired).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    for (const outcome of ['ok', 'unknown', 'expired']) this.authenticated.inc({ outcome }, 0);
  }

  request(outcome: 'ok' | 'unknown' | 'expired'): void {
    this.authenticated.inc({ outcome });
  }
}
