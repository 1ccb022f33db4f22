import { EVENT_TYPE_LIMITS } from '../event/event-type.rules';
import type { WebhookFilter } from './filter/filter.rules';

/**
 * A field a client sets on a webhook. Optional ones have a `default`, which a POST or PUT
 * that leaves them out (or sends null) gets; required ones have none.
 */
type Presence<V> = { required: true; default?: never } | { required?: never; default: V };

/** What each kind of field is, on the wire and in its column; its limits, inclusive. */
type Kind =
  | ({ type: 'integer'; min: number; max: number; nullable?: never } & Presence<number>)
  /** An integer or null (null: no limit). */
  | ({ type: 'integer'; min: number; max: number; nullable: true } & Presence<number | null>)
  | ({ type: 'boolean' } & Presence<boolean>)
  /** One of `values`, a `text` column. */
  | ({ type: 'enum'; values: readonly string[] } & Presence<string>)
  /**
   * Text of at most `maxLength` code points (at least `minLength`); `notBlank`: not empty
   * nor only white space. In a `varchar(maxLength)` or a `text` column.
   */
  | ({
      type: 'string';
      sql: 'varchar' | 'text';
      minLength?: number;
      maxLength: number;
      notBlank?: true;
    } & Presence<string>)
  /** `minItems` to `maxItems` integers, each from `min` to `max`, in an `int[]` column. */
  | ({
      type: 'integer[]';
      min: number;
      max: number;
      minItems: number;
      maxItems: number;
      /** What the items are, in the messages ("status codes"). */
      items: string;
    } & Presence<readonly number[]>)
  /** At most `maxItems` strings, in a `text[]` column; what each may be is the API's rule. */
  | ({ type: 'string[]'; maxItems: number } & Presence<readonly string[]>)
  /**
   * A JSON object or null, in a `jsonb` column; what it may hold is its rule's (the API's
   * FORMATS, from the domain's rules).
   */
  | ({ type: 'object'; nullable: true } & Presence<null>);

export type WebhookFieldSpec = Kind & {
  /**
   * The column, which is the field's name in the API's JSON too: renaming a column
   * renames the API's field, so a column keeps its name (a migration adds a new one).
   */
  column: string;
  /** What it means (the OpenAPI document's description; the request's adds the default). */
  description?: string;
  /** A value, for the OpenAPI document. */
  example?: unknown;
};

/**
 * Every field a client sets on a webhook, in the order of the API's documents and of the
 * repository's statements, keyed by the entity's property: the one place that says what
 * a field is called, where it is stored, its type, limits, default and meaning. The
 * entity's columns, the repository's column lists, the defaults of a POST or PUT, the
 * API's validation, OpenAPI schemas and JSON mapping, and (through the served OpenAPI
 * document) the dashboard's form are made from it. docs/adding-a-webhook-field.md.
 */
export const WEBHOOK_FIELDS = {
  name: {
    column: 'name',
    type: 'string',
    sql: 'varchar',
    minLength: 3,
    maxLength: 255,
    required: true,
    example: 'Orders service',
  },
  url: {
    column: 'url',
    type: 'string',
    sql: 'text',
    maxLength: 4096,
    required: true,
    description: 'Absolute http or https URL that deliveries are POSTed to.',
    example: 'https://example.com/webhooks/orders',
  },
  contentType: {
    column: 'content_type',
    type: 'string',
    sql: 'varchar',
    maxLength: 255,
    notBlank: true,
    required: true,
    description: 'Sent as the Content-Type of every delivery.',
    example: 'application/json',
  },
  validStatusCodes: {
    column: 'valid_status_codes',
    type: 'integer[]',
    min: 100,
    max: 599,
    minItems: 1,
    maxItems: 500,
    items: 'status codes',
    required: true,
    description: 'Response status codes that count as a successful delivery.',
    example: [200, 201, 202, 204],
  },
  secretToken: {
    column: 'secret_token',
    type: 'string',
    sql: 'varchar',
    maxLength: 255,
    default: '',
    description:
      'Key of the HMAC-SHA256 signatures; empty for unsigned deliveries. A token that starts ' +
      'with `whsec_` is standard base64 of 24–64 bytes after the prefix (Standard Webhooks).',
    example: 'my-secret-token',
  },
  active: {
    column: 'active',
    type: 'boolean',
    default: true,
    description: 'Deliveries of an inactive webhook wait until it is active again.',
  },
  maxDeliveryAttempts: {
    column: 'max_delivery_attempts',
    type: 'integer',
    min: 1,
    max: 100,
    default: 5,
    description: 'Attempts before a delivery is marked failed.',
    example: 5,
  },
  deliveryAttemptTimeout: {
    column: 'delivery_attempt_timeout',
    type: 'integer',
    min: 1,
    max: 300,
    default: 10,
    description: 'Seconds one attempt may take, connect to last response byte.',
    example: 10,
  },
  retryMinBackoff: {
    column: 'retry_min_backoff',
    type: 'integer',
    min: 1,
    max: 604_800,
    default: 10,
    description: 'Seconds before the first retry; doubles with each retry.',
    example: 10,
  },
  retryMaxBackoff: {
    column: 'retry_max_backoff',
    type: 'integer',
    min: 1,
    max: 604_800,
    default: 3600,
    description: 'Longest wait between two attempts, in seconds; at least `retry_min_backoff`.',
    example: 3600,
  },
  eventTypes: {
    column: 'event_types',
    type: 'string[]',
    maxItems: EVENT_TYPE_LIMITS.patternsCount,
    default: ['*'],
    description:
      'The event types it takes (§5): each an exact name, a name followed by `.*` (that ' +
      "name's sub-types), or `*` (every type outside `postmand.`); `[]` takes only " +
      'deliveries addressed to it.',
    example: ['order.*', 'invoice.paid'],
  },
  maxConcurrency: {
    column: 'max_concurrency',
    type: 'integer',
    nullable: true,
    min: 1,
    max: 1000,
    default: null,
    description:
      'Most attempts of this webhook in flight at once, all workers together; null (the ' +
      'default): no limit.',
    example: 10,
  },
  rateLimit: {
    column: 'rate_limit',
    type: 'integer',
    nullable: true,
    min: 1,
    max: 100_000,
    default: null,
    description:
      'Attempts started per second, all workers together, as a token bucket holding one ' +
      "second's worth (at most twice this in any one-second window); null (the default): no " +
      'limit.',
    example: 50,
  },
  ordering: {
    column: 'ordering',
    type: 'enum',
    values: ['none', 'fifo'],
    default: 'none',
    description:
      '`fifo`: one delivery at a time in `created_at, id` order, each waiting until the one ' +
      'before has succeeded or failed for good, retries included.',
  },
  filter: {
    column: 'filter',
    type: 'object',
    nullable: true,
    default: null,
    description:
      'Which events it takes, by their payload (§15), once `event_types` match: null (the ' +
      'default) takes every one. An object whose entries must all hold: `"<path>": <scalar>` ' +
      '(equals), `"<path>": {"<operator>": <operand>, …}` with the operators `$eq`, `$neq`, ' +
      '`$gt`, `$gte`, `$lt`, `$lte`, `$in`, `$nin`, `$exists`, `$contains`, and `$and`/`$or` ' +
      '(1–20 filters) or `$not` (a filter). At most 4096 bytes and 5 filters deep. Direct ' +
      'deliveries and redeliveries ignore it.',
    example: { 'data.tier': { $in: ['gold', 'platinum'] }, 'data.amount': { $gte: 100 } },
  },
} as const satisfies Record<string, WebhookFieldSpec>;

type Fields = typeof WEBHOOK_FIELDS;

/** A field's name: the entity's property (`maxDeliveryAttempts`). */
export type WebhookFieldName = keyof Fields;

/** The TypeScript type of a field's values. */
export type WebhookFieldValue<F extends WebhookFieldSpec> = F extends {
  type: 'integer';
  nullable: true;
}
  ? number | null
  : F extends { type: 'integer' }
    ? number
    : F extends { type: 'boolean' }
      ? boolean
      : F extends { type: 'enum'; values: readonly (infer V)[] }
        ? V
        : F extends { type: 'string' }
          ? string
          : F extends { type: 'integer[]' }
            ? number[]
            : F extends { type: 'string[]' }
              ? string[]
              : F extends { type: 'object' }
                ? WebhookFilter | null
                : never;

/** Everything a client sets on a webhook, as the entity holds it. */
export type WebhookSettings = { [K in WebhookFieldName]: WebhookFieldValue<Fields[K]> };

/** The fields a POST or PUT must give. */
export type RequiredWebhookField = {
  [K in WebhookFieldName]: Fields[K] extends { required: true } ? K : never;
}[WebhookFieldName];

/** The fields a POST or PUT may leave out, to their default. */
export type OptionalWebhookField = Exclude<WebhookFieldName, RequiredWebhookField>;

/** A field's name in the API's JSON (its column's): `max_delivery_attempts`. */
export type WebhookWireName<K extends WebhookFieldName = WebhookFieldName> = Fields[K]['column'];

/** The fields as the API's JSON writes them. */
export type WebhookWire = {
  [K in WebhookFieldName as WebhookWireName<K>]: WebhookFieldValue<Fields[K]>;
};

export type WebhookOrdering = WebhookSettings['ordering'];

/** The fields with their declarations, in order. */
export const WEBHOOK_FIELD_ENTRIES = Object.entries(WEBHOOK_FIELDS) as [
  WebhookFieldName,
  WebhookFieldSpec,
][];

/** What an optional field left out of a POST or PUT (or null) becomes. */
export const WEBHOOK_DEFAULTS = Object.fromEntries(
  WEBHOOK_FIELD_ENTRIES.filter(([, spec]) => !spec.required).map(([name, spec]) => [
    name,
    spec.default,
  ]),
) as { readonly [K in OptionalWebhookField]: Fields[K]['default'] };
