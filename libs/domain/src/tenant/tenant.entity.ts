import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One of the platform's customers (SPEC §11): it will own webhooks and receive the events
 * published for it. Its id is the platform's own (not a UUID).
 */
@Entity({ name: 'tenants' })
export class Tenant {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  /** The platform's own notes on it: at most 32 string values (tenant.rules.ts). */
  @Column({ type: 'jsonb' })
  metadata!: Record<string, string>;

  /** Most webhooks it may have; null: no limit. */
  @Column({ name: 'max_webhooks', type: 'int', nullable: true })
  maxWebhooks!: number | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
