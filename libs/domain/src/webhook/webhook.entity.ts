import { Column, Entity, PrimaryColumn, type ColumnOptions } from 'typeorm';
import {
  WEBHOOK_FIELD_ENTRIES,
  type WebhookFieldSpec,
  type WebhookSettings,
} from './webhook.fields';

/** A secret retired by a rotation (§9): it still signs until `expires_at` (RFC 3339). */
export interface PreviousSecret {
  secret_token: string;
  expires_at: string;
}

/** The column of a field (the migrations make it; these options only map it). */
function columnOptions(spec: WebhookFieldSpec): ColumnOptions {
  switch (spec.type) {
    case 'integer':
      return { name: spec.column, type: 'int', nullable: spec.nullable === true };
    case 'boolean':
      return { name: spec.column, type: 'boolean' };
    case 'enum':
      return { name: spec.column, type: 'text' };
    case 'string':
      return spec.sql === 'varchar'
        ? { name: spec.column, type: 'varchar', length: spec.maxLength }
        : { name: spec.column, type: 'text' };
    case 'integer[]':
      return { name: spec.column, type: 'int', array: true };
    case 'string[]':
      return { name: spec.column, type: 'text', array: true };
    case 'object':
      return { name: spec.column, type: 'jsonb', nullable: true };
  }
}

/** The columns of what a client sets: one per field of WEBHOOK_FIELDS (webhook.fields.ts). */
abstract class WebhookSettingsColumns {}
for (const [property, spec] of WEBHOOK_FIELD_ENTRIES) {
  Column(columnOptions(spec))(WebhookSettingsColumns.prototype, property);
}

/**
 * Delivery rules for one endpoint. Durations are whole seconds, as in the Go project.
 * What a client sets comes from WebhookSettingsColumns; the rest is postmand's.
 */
@Entity({ name: 'webhooks' })
export class Webhook extends (WebhookSettingsColumns as abstract new () => WebhookSettings) {
  @PrimaryColumn('uuid')
  id!: string;

  /** The tenant that owns it (§11); null: the platform's own. Fixed at creation. */
  @Column({ name: 'tenant_id', type: 'varchar', length: 64, nullable: true })
  tenantId!: string | null;

  /** Failed attempts since the last success (the circuit breaker's count). */
  @Column({ name: 'consecutive_failures', type: 'int', default: 0 })
  consecutiveFailures!: number;

  /** The first failed attempt after the last success, while it keeps failing. */
  @Column({ name: 'failing_since', type: 'timestamptz', precision: 3, nullable: true })
  failingSince!: Date | null;

  /** Null: the circuit is closed; later than now: open; reached: half-open. */
  @Column({ name: 'circuit_open_until', type: 'timestamptz', precision: 3, nullable: true })
  circuitOpenUntil!: Date | null;

  /** Seconds of the current opening's cool-off (doubles at each reopening). */
  @Column({ name: 'circuit_cooldown', type: 'int', nullable: true })
  circuitCooldown!: number | null;

  /** Why postmand set `active` to false (410 Gone, failing too long); null otherwise. */
  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason!: string | null;

  /**
   * Secrets retired by a rotation, newest first, with when each stops signing; null when
   * there are none. Never shown by the API (only `secret_token` is, as in v1).
   */
  @Column({ name: 'previous_secrets', type: 'jsonb', nullable: true })
  previousSecrets!: PreviousSecret[] | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
