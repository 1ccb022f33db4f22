/*
 * The wake-up channel's statements: DeliveryWaker sends on it, the worker's WakeupListener
 * listens. Triggers of the schema notify it too (a re-activated webhook: 'webhook').
 */

/** The channel workers LISTEN on; the payload is milliseconds until work is due. */
export const WAKEUP_CHANNEL = 'postmand_wakeup';

/** One wake-up: $1 the channel, $2 the payload (milliseconds until due, as text). */
export const NOTIFY_WAKEUP_SQL = 'SELECT pg_notify($1, $2)';

/** Registers the session for wake-ups (on a connection of its own, never a pooled one). */
const LISTEN_WAKEUP_SQL = `LISTEN ${WAKEUP_CHANNEL}`;

/** Has `client` (a connection of its own, never a pooled one) listen for wake-ups. */
export async function listenForWakeups(client: {
  query(text: string): Promise<unknown>;
}): Promise<void> {
  await client.query(LISTEN_WAKEUP_SQL);
}
