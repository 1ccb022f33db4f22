/**
 * Parking at creation (claim.sql.ts explains parking). A delivery created for a webhook
 * that is limited or inactive is parked from the start, so the plain claim never has to
 * walk and set it aside: that cost a second update of every such row (a limited webhook's
 * dispatch ran at 0.5 × an unlimited one's; parked from the start, 1.0 ×).
 *
 * The creating statement takes a key-share lock on those webhooks' rows (the lock the
 * foreign-key check takes anyway; creates never wait for each other, nor for a claim)
 * and marks the ones not marked yet. The lock is what keeps the mark right: the limited
 * claim unmarks a webhook only under FOR UPDATE taken with SKIP LOCKED, which a create's
 * key-share lock excludes; a create that comes after an unmarking waits for its commit,
 * reads the row's latest version and marks it again. An unlimited, active webhook's
 * creates take nothing beyond the foreign key's lock.
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
     FOR KEY SHARE
   ),
   held_marked AS (
     UPDATE webhooks w SET parked = true FROM held_hooks p WHERE w.id = p.id AND NOT p.parked
   )`;
}

/** The `parked` value of a new delivery of webhook `webhookId` (an SQL expression). */
export const parkedAtCreation = (webhookId: string): string =>
  `(${webhookId} IN (SELECT id FROM held_hooks))`;
