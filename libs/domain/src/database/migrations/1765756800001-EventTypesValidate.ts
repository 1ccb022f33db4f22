import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Validates `deliveries_event_has_type`, which EventTypes added NOT VALID: it reads the
 * whole deliveries table, so it runs outside any transaction, under VALIDATE's own lock
 * (SHARE UPDATE EXCLUSIVE), which lets reads and writes go on. Every row passes: the older
 * constraint, stronger, held for each. Run again (an interrupted migrate), it validates
 * again, or finds it valid and reads nothing.
 */
export class EventTypesValidate1765756800001 implements MigrationInterface {
  name = 'EventTypesValidate1765756800001';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deliveries VALIDATE CONSTRAINT deliveries_event_has_type`);
  }

  async down(): Promise<void> {
    // A validated constraint stays valid: EventTypes' revert drops it.
  }
}
