import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops the foreign key from deliveries.event_id to events. Its check ran once per
 * fanned-out delivery, all of them for the same event row that the same statement had
 * just inserted: for an event matched by 1,000 webhooks it was a fifth of the time to
 * store it (p95 56–58 ms → 41–43 ms through the API, bench/RESULTS.md 7b).
 *
 * What the key guarded still holds by construction: event_id is written only by the
 * publish statement, in the statement that inserts its event, and an event is deleted
 * only once no delivery refers to it (retention). deliveries_event_id_created_at_id_idx
 * stays, for the event_id filter and for that check.
 */
export class EventFanOutWithoutForeignKey1765065600000 implements MigrationInterface {
  name = 'EventFanOutWithoutForeignKey1765065600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deliveries DROP CONSTRAINT deliveries_event_id_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE deliveries
        ADD CONSTRAINT deliveries_event_id_fkey FOREIGN KEY (event_id) REFERENCES events (id)`);
  }
}
