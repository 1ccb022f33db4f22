import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One try at sending a delivery, with the raw exchange as it went over the wire. Read
 * from the view `delivery_attempts_full` (the table stores a request body that is the
 * delivery's payload once, on the delivery); written only by the worker's SQL.
 */
@Entity({ name: 'delivery_attempts_full' })
export class DeliveryAttempt {
  @PrimaryColumn('uuid')
  id!: string;

  /** Its webhook's tenant (§11), copied when written; null: a platform webhook. */
  @Column({ name: 'tenant_id', type: 'varchar', length: 64, nullable: true })
  tenantId!: string | null;

  @Column({ name: 'webhook_id', type: 'uuid' })
  webhookId!: string;

  @Column({ name: 'delivery_id', type: 'uuid' })
  deliveryId!: string;

  @Column({ name: 'raw_request', type: 'text' })
  rawRequest!: string;

  @Column({ name: 'raw_response', type: 'text' })
  rawResponse!: string;

  /** 0 when no response came back. */
  @Column({ name: 'response_status_code', type: 'int' })
  responseStatusCode!: number;

  /** Milliseconds from the start of the request to the end of the response (or the error). */
  @Column({ name: 'execution_duration', type: 'int' })
  executionDuration!: number;

  @Column({ type: 'boolean' })
  success!: boolean;

  /** Transport failure text; "" when a response came back. */
  @Column({ type: 'text' })
  error!: string;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
