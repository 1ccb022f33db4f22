import type { DataSource } from 'typeorm';

/** A tenant's rows, as a test walks them: every id, and the marker in its payloads. */
export interface SeededTenant {
  tenantId: string;
  webhookId: string;
  deliveryId: string;
  attemptId: string;
  eventId: string;
  /** A delivery of the event (no payload of its own). */
  eventDeliveryId: string;
  /** In every payload, secret and name of the tenant's rows: a response holding it leaked. */
  marker: string;
}

/** POSTs as the platform and answers the created item's body (status 201 or it throws). */
export type PlatformPost = (path: string, body: object) => Promise<Record<string, any>>;

/**
 * A tenant with one of everything: a webhook, a delivery with an attempt, an event with
 * its delivery, made through the platform's API (the attempt in SQL: nothing is sent).
 */
export function seedTenant(
  sql: DataSource,
  post: PlatformPost,
  tenantId: string,
): Promise<SeededTenant> {
  return seedRows(sql, post, tenantId) as Promise<SeededTenant>;
}

/** The platform's own rows (no tenant), of the same kinds: no session may see them either. */
export function seedPlatform(sql: DataSource, post: PlatformPost): Promise<SeededRows> {
  return seedRows(sql, post, null);
}

/** A tenant's or (tenantId null) the platform's seeded rows. */
export type SeededRows = Omit<SeededTenant, 'tenantId'> & { tenantId: string | null };

async function seedRows(
  sql: DataSource,
  post: PlatformPost,
  tenantId: string | null,
): Promise<SeededRows> {
  const owner = tenantId ?? 'platform';
  const marker = `MARKER-${owner}-${Math.random().toString(36).slice(2)}`;
  if (tenantId !== null) {
    await sql.query(`INSERT INTO tenants (id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING`, [
      tenantId,
    ]);
  }
  const webhook = await post('/v1/webhooks', {
    name: `hook ${marker}`,
    url: `http://127.0.0.1:9/${marker}`,
    content_type: 'application/json',
    valid_status_codes: [200],
    secret_token: `secret-${marker}`,
    event_types: [`${owner}.seeded`],
    // Nothing is ever sent: the rows stay as seeded whether or not a worker runs.
    active: false,
    tenant_id: tenantId,
  });
  const webhookId = webhook.id as string;
  const delivery = await post('/v1/deliveries', {
    webhook_id: webhookId,
    payload: JSON.stringify({ marker }),
    scheduled_at: '2999-01-01T00:00:00Z',
  });
  const event = await post('/v1/events', {
    event_type: `${owner}.seeded`,
    payload: JSON.stringify({ marker, event: true }),
    scheduled_at: '2999-01-01T00:00:00Z',
    tenant_id: tenantId,
  });
  const [{ id: eventDeliveryId }] = await sql.query<{ id: string }[]>(
    `SELECT id FROM deliveries WHERE event_id = $1`,
    [event.id],
  );
  const [{ id: attemptId }] = await sql.query<{ id: string }[]>(
    `INSERT INTO delivery_attempts (webhook_id, delivery_id, tenant_id, raw_request, raw_response,
       response_status_code, execution_duration, success, error)
     VALUES ($1, $2, $3, $4, 'HTTP/1.1 200 OK\r\n\r\nok', 200, 35000, true, '')
     RETURNING id`,
    [webhookId, delivery.id, tenantId, `POST /${marker} HTTP/1.1`],
  );
  return {
    tenantId,
    webhookId,
    deliveryId: delivery.id as string,
    attemptId,
    eventId: event.id as string,
    eventDeliveryId,
    marker,
  };
}

/** The strings of `tenant` no response to another tenant's session may hold. */
export function secretsOf(tenant: SeededRows): string[] {
  return [
    tenant.webhookId,
    tenant.deliveryId,
    tenant.attemptId,
    tenant.eventId,
    tenant.eventDeliveryId,
    tenant.marker,
  ];
}
