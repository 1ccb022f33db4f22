import { WEBHOOK_DEFAULTS, WEBHOOK_FIELD_ENTRIES, type WebhookFieldSpec } from './webhook.fields';

/** Whether `value` is one the field accepts: a default must be. */
function accepts(spec: WebhookFieldSpec, value: unknown): boolean {
  switch (spec.type) {
    case 'integer':
      return (
        (value === null && spec.nullable === true) ||
        (Number.isInteger(value) && (value as number) >= spec.min && (value as number) <= spec.max)
      );
    case 'boolean':
      return typeof value === 'boolean';
    case 'enum':
      return spec.values.includes(value as string);
    case 'string':
      return typeof value === 'string' && [...value].length <= spec.maxLength;
    case 'integer[]':
      return Array.isArray(value) && value.length >= spec.minItems && value.length <= spec.maxItems;
    case 'string[]':
      return Array.isArray(value) && value.length <= spec.maxItems;
    case 'object':
      return value === null || (typeof value === 'object' && !Array.isArray(value));
  }
}

describe('WEBHOOK_FIELDS, the one declaration of a webhook’s fields', () => {
  it.each(WEBHOOK_FIELD_ENTRIES)('%s: a snake_case column, limits in order', (name, spec) => {
    expect(spec.column).toMatch(/^[a-z][a-z0-9_]*$/);
    // The entity's property is the column in camelCase: one name to look for, in two spellings.
    expect(spec.column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())).toBe(name);
    if ('min' in spec) expect(spec.min).toBeLessThanOrEqual(spec.max);
    if (spec.type === 'string') expect(spec.minLength ?? 0).toBeLessThanOrEqual(spec.maxLength);
  });

  it.each(WEBHOOK_FIELD_ENTRIES.filter(([, spec]) => !spec.required))(
    '%s: optional, with a default it accepts',
    (_, spec) => {
      expect(accepts(spec, spec.default)).toBe(true);
      // A null default means "no limit" and so on: the description says which.
      if (spec.default === null) expect(spec.description).toMatch(/null \(the default\)/);
    },
  );

  it('gives WEBHOOK_DEFAULTS every optional field and no required one', () => {
    const optional = WEBHOOK_FIELD_ENTRIES.filter(([, spec]) => !spec.required).map(([n]) => n);
    expect(Object.keys(WEBHOOK_DEFAULTS)).toEqual(optional);
    expect(WEBHOOK_DEFAULTS).toMatchObject({ maxDeliveryAttempts: 5, eventTypes: ['*'] });
  });
});
