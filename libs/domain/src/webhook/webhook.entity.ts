import { Column, Entity, PrimaryColumn } from 'typeorm';

export type WebhookOrdering = 'none' | 'fifo';

/** A secret retired by a rotation (§9): it still signs until `expires_at` (RFC 3339). */
export interface PreviousSecret {
  secret_token: string;
  expires_at: string;
}

/** Delivery rules for one endpoint. Durations are whole seconds, as in the Go project. */
@Entity({ name: 'webhooks' })
export class Webhook {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ type: 'text' })
  url!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 255 })
  contentType!: string;

  @Column({ name: 'valid_status_codes', type: 'int', array: true })
  validStatusCodes!: number[];

  @Column({ name: 'secret_token', type: 'varchar', length: 255, default: '' })
  secretToken!: string;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ name: 'max_delivery_attempts', type: 'int' })
  maxDeliveryAttempts!: number;

  @Column({ name: 'delivery_attempt_timeout', type: 'int' })
  deliveryAttemptTimeout!: number;

  @Column({ name: 'retry_min_backoff', type: 'int' })
  retryMinBackoff!: number;

  @Column({ name: 'retry_max_backoff', type: 'int' })
  retryMaxBackoff!: number;

  /** Patterns of the event types it takes (§5); `[]`: only deliveries addressed to it. */
  @Column({ name: 'event_types', type: 'text', array: true })
  eventTypes!: string[];

  /** Most attempts in flight at once, all workers together; null: no limit (§7). */
  @Column({ name: 'max_concurrency', type: 'int', nullable: true })
  maxConcurrency!: number | null;

  /** Attempts started per second, all workers together; null: no limit. */
  @Column({ name: 'rate_limit', type: 'int', nullable: true })
  rateLimit!: number | null;

  /** `fifo`: one delivery at a time, in `created_at, id` order, retries included. */
  @Column({ type: 'text', default: 'none' })
  ordering!: WebhookOrdering;

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
