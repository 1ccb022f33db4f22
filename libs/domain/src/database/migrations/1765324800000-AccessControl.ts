import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * §9. `api_keys`: one row per key, its SHA-256 only (the key itself is shown once, by the
 * CLI, and never stored); a revoked key's row is deleted. `webhooks.previous_secrets`: the
 * secrets a rotation retired and until when each still signs, newest first, as
 * `[{"secret_token", "expires_at"}]`; NULL (most webhooks) when there are none.
 */
export class AccessControl1765324800000 implements MigrationInterface {
  name = 'AccessControl1765324800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_keys (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name         varchar(255) NOT NULL UNIQUE,
        scope        text NOT NULL CHECK (scope IN ('read', 'write')),
        key_hash     bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
        created_at   timestamptz(3) NOT NULL DEFAULT now(),
        last_used_at timestamptz(3)
      )`);
    await q.query(`ALTER TABLE webhooks ADD COLUMN previous_secrets jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhooks DROP COLUMN previous_secrets`);
    await q.query(`DROP TABLE api_keys`);
  }
}
