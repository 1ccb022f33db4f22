import type { DataSource } from 'typeorm';

/**
 * Ends the grace period of a webhook's previous secrets now, as if the test had waited
 * for it: their `expires_at` becomes a second ago (the database's clock). A test that
 * rotates with a long grace period and ends it here checks both sides of the boundary
 * whatever the machine's speed; one that waits out a short grace period has to see its
 * "during" delivery signed before the period ends, which a busy machine may not do.
 */
export async function endGracePeriods(ds: DataSource, webhookId: string): Promise<void> {
  const [, updated] = await ds.query<[unknown, number]>(
    `UPDATE webhooks SET previous_secrets = (
       SELECT jsonb_agg(jsonb_set(e.s, '{expires_at}', to_jsonb(now() - interval '1 second'))
                        ORDER BY e.ord)
       FROM jsonb_array_elements(previous_secrets) WITH ORDINALITY AS e(s, ord))
     WHERE id = $1 AND previous_secrets IS NOT NULL`,
    [webhookId],
  );
  if (updated !== 1) throw new Error(`webhook ${webhookId} has no previous secrets`);
}
