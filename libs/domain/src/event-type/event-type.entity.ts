import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A type in the catalogue (SPEC §14): what producers publish under that name, and the
 * JSON Schema (draft 2020-12) their payloads must match when it has one.
 */
@Entity({ name: 'event_types' })
export class EventType {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  description!: string;

  /** A JSON object (the schema), or null: payloads of the type are not checked. */
  @Column({ type: 'jsonb', nullable: true })
  schema!: Record<string, unknown> | null;

  /** A payload of the type, sent by `POST /v1/webhooks/{id}/test`; null: none. */
  @Column({ type: 'text', nullable: true })
  example!: string | null;

  @Column({ type: 'boolean' })
  deprecated!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
