/**
 * Parking at creation (claim.sql.ts explains parking). A delivery created for a webhook
 * that is limited or inactive is parked from the start, so the plain claim never has to
 * walk and set it aside: that cost a second update of every such row (a limited webhook's
 * dispatch ran at 0.5 × an unlimited one's; parked from the start, 1.0 ×).
 *
 * The creating statement locks those webhooks' rows (id order: two creates cannot
 * deadlock) and marks them. The lock is what keeps the mark right: the limited claim
 * unmarks a webhook it finds with no parked delivery while it holds the webhook's row,
 * so a create either waits for that claim to commit and marks the webhook again, or
 * holds the row while the claim skips the webhook. An unlimited, active webhook's
 * creates lock nothing.
 */

/**
 * The CTEs, for the webhooks in `webhookIds` (a set expression), unless `skip` (an SQL
 * boolean) holds.
 */
export function parkingCtes(webhookIds: string, skip = 'false'): string {
  return `held_hooks AS (
     SELECT h.id, h.parked FROM webhooks h
     WHERE h.id IN (${webhookIds}) AND (h.limited OR NOT h.active) AND NOT (${skip})
     ORDER BY h.id
     FOR NO KEY UPDATE
   ),
   held_marked AS (
     UPDATE webhooks w SET parked = true FROM held_hooks p WHERE w.id = p.id AND NOT p.parked
   )`;
}

/** The `parked` value of a new delivery of webhook `webhookId` (an SQL expression). */
export const parkedAtCreation = (webhookId: string): string =>
  `(${webhookId} IN (SELECT id FROM held_hooks))`;
