import type { ComponentType, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiFailure, type Webhook, type WebhookRequest } from '../api/client';
import type { Properties, PropertySchema } from '../api/openapi';
import { FilterField } from './filter-field';

/**
 * The webhook form's fields. Their types, limits and defaults are the API's, read from the
 * served OpenAPI document (WebhookRequestDto); what is here is how the form shows each:
 * its fieldset, label and note. A field the API adds is a type error here until it has
 * its entry (after `npm run generate:api-types`). docs/adding-a-webhook-field.md.
 * `tenant_id` is not one: it is fixed at creation, chosen where a tenant's webhooks are
 * made, and a PUT that leaves it out keeps it.
 */
export type FieldName = Exclude<keyof WebhookRequest, 'tenant_id'>;

export interface FormField {
  group: 'Endpoint' | 'Retries' | 'Endpoint protection';
  label: string;
  /** The note under the input: fixed, or written from the field's schema. */
  hint?: string | ((schema: PropertySchema) => string | undefined);
  /** A new webhook's text for a required field, which has no default. */
  suggested?: string;
  /**
   * `secret`: hidden unless shown; `url`: a URL keyboard; `filter`: JSON text, several
   * lines, checked as typed, with the operator reference (pages/filter-field.tsx).
   */
  input?: 'secret' | 'url' | 'filter';
  /** The words for each value of an enum. */
  options?: Record<string, string>;
}

/** `1–100`, from the schema's limits. */
const range = (s: PropertySchema, unit = ''): string | undefined =>
  s.minimum !== undefined && s.maximum !== undefined
    ? `${s.minimum}–${s.maximum}${unit}.`
    : undefined;

/** In the order the form shows them. */
export const FIELDS: { [K in FieldName]-?: FormField } = {
  name: {
    group: 'Endpoint',
    label: 'Name',
    hint: (s) => `${s.minLength ?? 1}–${s.maxLength} characters.`,
  },
  url: { group: 'Endpoint', label: 'URL', hint: 'An absolute http or https URL.', input: 'url' },
  content_type: {
    group: 'Endpoint',
    label: 'Content type',
    hint: 'Sent as the Content-Type header.',
    suggested: 'application/json',
  },
  valid_status_codes: {
    group: 'Endpoint',
    label: 'Valid status codes',
    hint: 'Responses that count as success, comma-separated.',
    suggested: '200, 201, 202, 204',
  },
  event_types: {
    group: 'Endpoint',
    label: 'Event types',
    hint: 'Subscriptions, comma-separated: order.created, order.*, or *.',
  },
  secret_token: {
    group: 'Endpoint',
    label: 'Signing secret',
    hint: 'Signs each delivery (empty: unsigned). Rotate with the API to keep the old one valid for a while.',
    input: 'secret',
  },
  active: { group: 'Endpoint', label: 'Active (deliveries are sent)' },
  max_delivery_attempts: { group: 'Retries', label: 'Max attempts', hint: (s) => range(s) },
  delivery_attempt_timeout: {
    group: 'Retries',
    label: 'Attempt timeout (s)',
    hint: (s) => range(s, ' seconds'),
  },
  retry_min_backoff: {
    group: 'Retries',
    label: 'First retry after (s)',
    hint: 'Doubles with each retry.',
  },
  retry_max_backoff: {
    group: 'Retries',
    label: 'Longest wait (s)',
    hint: 'At least the first retry’s.',
  },
  max_concurrency: {
    group: 'Endpoint protection',
    label: 'Max concurrent requests',
    hint: 'Empty: no limit.',
  },
  rate_limit: {
    group: 'Endpoint protection',
    label: 'Rate limit (per second)',
    hint: 'Empty: no limit.',
  },
  filter: {
    group: 'Endpoint',
    label: 'Filter',
    hint: 'JSON the payload must match, e.g. {"data.tier": {"$in": ["gold"]}}. Empty: every event.',
    input: 'filter',
  },
  ordering: {
    group: 'Endpoint protection',
    label: 'Ordering',
    options: { none: 'None (fastest)', fifo: 'FIFO (one at a time, in order)' },
  },
};

export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

/** The form's text for each field (a checkbox's state); numbers and lists parse on submit. */
export type Texts = Record<FieldName, string | boolean>;

/** A value as the form shows it: lists comma-separated, null as empty. */
function textOf(value: unknown): string | boolean {
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value, null, 2);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** A number when the text is one; otherwise the text, so the API names what is wrong. */
function num(text: string): unknown {
  const t = text.trim();
  return /^-?\d+$/.test(t) ? Number(t) : t;
}

/** The JSON the text holds; otherwise the text, so the API names what is wrong. */
function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The value the request carries for a field's text, by the field's schema. */
function valueOf(text: string | boolean, schema: PropertySchema): unknown {
  if (typeof text === 'boolean') return text;
  if (schema.type === 'array') {
    const items = text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return schema.items?.type === 'integer' ? items.map(num) : items;
  }
  if (schema.type === 'integer') return schema.nullable && text.trim() === '' ? null : num(text);
  if (schema.type === 'object') return text.trim() === '' ? null : json(text);
  return text;
}

/**
 * The served description's webhook properties, once it is known to describe every field
 * of this form: during a rolling deploy, this dashboard can meet an older API whose
 * document lacks a new field, and the form then says so instead of failing on it.
 */
export function withEveryField(
  schema: Properties<'WebhookRequestDto'>,
): Properties<'WebhookRequestDto'> {
  const missing = FIELD_NAMES.filter((name) => !schema[name]);
  if (missing.length > 0) {
    throw new ApiFailure(
      0,
      undefined,
      `the API's description lacks ${missing.join(', ')}: the API is older than this ` +
        'dashboard; reload once it is updated',
    );
  }
  return schema;
}

/** A new webhook's form: each field's default from the API, or the form's suggestion. */
export function newTexts(schema: Properties<'WebhookRequestDto'>): Texts {
  const texts = {} as Texts;
  for (const name of FIELD_NAMES) {
    texts[name] = textOf(schema[name]['x-default'] ?? FIELDS[name].suggested);
  }
  return texts;
}

export function textsOf(w: Webhook): Texts {
  const texts = {} as Texts;
  for (const name of FIELD_NAMES) texts[name] = textOf(w[name]);
  return texts;
}

export function requestOf(texts: Texts, schema: Properties<'WebhookRequestDto'>): WebhookRequest {
  const request: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) request[name] = valueOf(texts[name], schema[name]);
  return request as WebhookRequest;
}

/** What a field's input is given: the dashboard's form and the portal's alike. */
export interface FieldInputProps {
  name: FieldName;
  schema: PropertySchema;
  value: string | boolean;
  error?: string;
  onChange: (value: string | boolean) => void;
}

/**
 * A field a form shows and, where the plain input will not do, the input that shows it
 * (the event type picker): the portal's endpoint form and the dashboard's webhook form.
 */
export interface FormFieldEntry {
  name: FieldName;
  Input?: ComponentType<FieldInputProps>;
}

/** One field: its input, label, and its note (the API's complaint, or the hint). */
export function FieldInput(props: FieldInputProps) {
  const { name, schema, value, error, onChange } = props;
  const field = FIELDS[name];
  const id = `f-${name}`;
  if (typeof value === 'boolean') {
    return (
      <div class="field check">
        <input
          id={id}
          type="checkbox"
          checked={value}
          onChange={(e) => onChange((e.target as HTMLInputElement).checked)}
        />
        <label for={id}>{field.label}</label>
      </div>
    );
  }
  if (schema.enum) {
    return (
      <div class="field">
        <label for={id}>{field.label}</label>
        <select
          id={id}
          value={value}
          onChange={(e) => onChange((e.target as HTMLSelectElement).value)}
        >
          {schema.enum.map((v) => (
            <option key={v} value={v}>
              {field.options?.[v] ?? v}
            </option>
          ))}
        </select>
      </div>
    );
  }
  const hint = typeof field.hint === 'function' ? field.hint(schema) : field.hint;
  if (field.input === 'filter') {
    return <FilterField {...{ id, name, hint, value, error, onChange }} label={field.label} />;
  }
  const input = (type: string) => (
    <input
      id={id}
      name={name}
      type={type}
      value={value}
      onInput={(e) => onChange((e.target as HTMLInputElement).value)}
      aria-invalid={error ? 'true' : undefined}
      aria-describedby={`${id}-note`}
      autocomplete="off"
    />
  );
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{field.label}</label>
      {field.input === 'secret' ? <SecretInput input={input} /> : input(field.input ?? 'text')}
      <small id={`${id}-note`} class={error ? 'field-error' : 'hint'}>
        {error ? `${field.label} ${error}` : hint}
      </small>
    </div>
  );
}

/** A password input with a button that shows it. */
function SecretInput({ input }: { input: (type: string) => JSX.Element }) {
  const [shown, setShown] = useState(false);
  return (
    <div class="inline">
      {input(shown ? 'text' : 'password')}
      <button type="button" onClick={() => setShown((s) => !s)} aria-pressed={shown}>
        {shown ? 'Hide' : 'Show'}
      </button>
    </div>
  );
}
