import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A payload of a type, published once and fanned out to every subscribed webhook (§5). */
@Entity({ name: 'events' })
export class Event {
  @PrimaryColumn('uuid')
  id!: string;

  /** The tenant it was published for (§11); null: the platform's own webhooks. */
  @Column({ name: 'tenant_id', type: 'varchar', length: 64, nullable: true })
  tenantId!: string | null;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  @Column({ type: 'text' })
  payload!: string;

  /** Its deliveries' first attempt, not before. */
  @Column({ name: 'scheduled_at', type: 'timestamptz', precision: 3 })
  scheduledAt!: Date;

  /** Deliveries the fan-out created: the webhooks that matched when it was stored. */
  @Column({ name: 'delivery_count', type: 'int' })
  deliveryCount!: number;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
