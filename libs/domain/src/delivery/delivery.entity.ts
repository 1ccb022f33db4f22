import { Column, Entity, PrimaryColumn } from 'typeorm';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One payload for one webhook, sent until accepted or out of attempts. Read from the view
 * `deliveries_full` (a delivery of an event reads the event's payload, stored once there);
 * written only by SQL of the repositories.
 */
@Entity({ name: 'deliveries_full' })
export class Delivery {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'webhook_id', type: 'uuid' })
  webhookId!: string;

  /** Its webhook's tenant (§11), copied when written; null: a platform webhook. */
  @Column({ name: 'tenant_id', type: 'varchar', length: 64, nullable: true })
  tenantId!: string | null;

  @Column({ type: 'text' })
  payload!: string;

  @Column({ name: 'scheduled_at', type: 'timestamptz', precision: 3 })
  scheduledAt!: Date;

  /** The event it was fanned out from; null for a delivery created directly. */
  @Column({ name: 'event_id', type: 'uuid', nullable: true })
  eventId!: string | null;

  @Column({ name: 'event_type', type: 'text', nullable: true })
  eventType!: string | null;

  @Column({ name: 'delivery_attempts', type: 'int', default: 0 })
  deliveryAttempts!: number;

  @Column({ type: 'text', default: 'pending' })
  status!: DeliveryStatus;

  /** The worker holding the delivery while its attempt is in flight; null when none. */
  @Column({ name: 'lease_owner', type: 'text', nullable: true, select: false })
  leaseOwner!: string | null;

  /** After this time the lease is dead and any worker may claim the delivery again. */
  @Column({
    name: 'lease_expires_at',
    type: 'timestamptz',
    precision: 3,
    nullable: true,
    select: false,
  })
  leaseExpiresAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
