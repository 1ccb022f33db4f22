import { Column, Entity, PrimaryColumn } from 'typeorm';

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

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
