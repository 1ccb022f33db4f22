import { WEBHOOK_FIELD_ENTRIES, type WebhookFieldSpec } from '@app/domain';
import { createTestDatabase, type TestDatabase } from '../support/database';

interface Column {
  data_type: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
  character_maximum_length: number | null;
}

/** The column's type as information_schema names it, for each kind of field. */
function sqlType(spec: WebhookFieldSpec): string {
  switch (spec.type) {
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'enum':
      return 'text';
    case 'string':
      return spec.sql === 'varchar' ? 'character varying' : 'text';
    case 'integer[]':
      return 'ARRAY _int4';
    case 'string[]':
      return 'ARRAY _text';
    case 'object':
      return 'jsonb';
  }
}

/**
 * A new field is declared twice: in its migration and in WEBHOOK_FIELDS. The two must
 * agree (the column, its type and nullability, its limits where the table checks them),
 * so that what the API accepts is what the table stores.
 */
describe('WEBHOOK_FIELDS and the migrated webhooks table', () => {
  let db: TestDatabase;
  let columns: Map<string, Column>;
  let checks: string[];

  beforeAll(async () => {
    db = await createTestDatabase();
    const rows = await db.dataSource.query<(Column & { column_name: string })[]>(
      `SELECT column_name, data_type, udt_name, is_nullable, character_maximum_length
         FROM information_schema.columns WHERE table_name = 'webhooks'`,
    );
    columns = new Map(rows.map((r) => [r.column_name, r]));
    checks = (
      await db.dataSource.query<{ definition: string }[]>(
        `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint
          WHERE conrelid = 'webhooks'::regclass AND contype = 'c'`,
      )
    ).map((r) => r.definition);
  });
  afterAll(() => db?.drop());

  it.each(WEBHOOK_FIELD_ENTRIES)('%s has its column, of its type', (_, spec) => {
    const column = columns.get(spec.column);
    expect(column).toBeDefined();
    const type = column!.data_type === 'ARRAY' ? `ARRAY ${column!.udt_name}` : column!.data_type;
    expect(type).toBe(sqlType(spec));
    const nullable = (spec.type === 'integer' || spec.type === 'object') && spec.nullable === true;
    expect(column!.is_nullable).toBe(nullable ? 'YES' : 'NO');
    if (spec.type === 'string' && spec.sql === 'varchar') {
      expect(column!.character_maximum_length).toBe(spec.maxLength);
    }
  });

  it.each(WEBHOOK_FIELD_ENTRIES.filter(([, spec]) => spec.type === 'integer'))(
    '%s is checked by the table with the same limits',
    (_, spec) => {
      if (spec.type !== 'integer') return;
      const c = spec.column;
      expect(checks).toContain(`CHECK (((${c} >= ${spec.min}) AND (${c} <= ${spec.max})))`);
    },
  );

  it.each(WEBHOOK_FIELD_ENTRIES.filter(([, spec]) => spec.type === 'enum'))(
    '%s is checked by the table with the same values',
    (_, spec) => {
      if (spec.type !== 'enum') return;
      const values = spec.values.map((v) => `'${v}'::text`).join(', ');
      expect(checks).toContain(`CHECK ((${spec.column} = ANY (ARRAY[${values}])))`);
    },
  );
});
