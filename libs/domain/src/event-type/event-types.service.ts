import { Inject, Injectable } from '@nestjs/common';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import {
  InvalidFieldError,
  NotFoundError,
  PayloadTooLargeError,
  SchemaCheckOverloadedError,
} from '../common/domain-errors';
import type { ListPage } from '../common/list-query';
import type { Delivery } from '../delivery/delivery.entity';
import { DeliveryRepository } from '../delivery/delivery.repository';
import { DeliveryWaker } from '../delivery/delivery-waker';
import type { Scope } from '../tenant/scope';
import { WebhookRepository } from '../webhook/webhook.repository';
import { RESERVED_PREFIX } from '../event/event-type.rules';
import { CompiledSchema } from './compiled-schema';
import { SchemaValidatorPool } from './schema-validator-pool';
import { EventTypeCatalog } from './event-type-catalog';
import type { EventType } from './event-type.entity';
import {
  EventTypeRepository,
  type EventTypeInput,
  type EventTypeListFilter,
} from './event-type.repository';

/** An event type as a client writes it: every field may be left out (undefined or null). */
export interface EventTypeDraft {
  description?: string | null;
  schema?: Record<string, unknown> | null;
  example?: string | null;
  deprecated?: boolean | null;
}

/**
 * The rules of the catalogue (§14): reserved names, defaults, full replacement, the
 * schema's and the example's checks, "event type not found"; every write forgets the
 * name in this process's catalogue cache.
 */
@Injectable()
export class EventTypesService {
  constructor(
    private readonly types: EventTypeRepository,
    private readonly catalog: EventTypeCatalog,
    private readonly deliveries: DeliveryRepository,
    private readonly waker: DeliveryWaker,
    private readonly webhooks: WebhookRepository,
    private readonly validators: SchemaValidatorPool,
    @Inject(POSTMAND_CONFIG) private readonly config: PostmandConfig,
  ) {}

  /**
   * PUT: creates the type or replaces it (what the draft leaves out takes its default;
   * `created_at` is kept). `created` tells which. The schema is compiled here, once, and
   * kept for the publishes that follow. The example is a payload: over
   * POSTMAND_MAX_PAYLOAD_BYTES it is a 413 (code 8), as a publish of it would be.
   */
  async put(name: string, draft: EventTypeDraft): Promise<{ type: EventType; created: boolean }> {
    if (name.startsWith(RESERVED_PREFIX)) {
      throw new InvalidFieldError('name', `${RESERVED_PREFIX} types are reserved for postmand`);
    }
    const input = withDefaults(draft);
    if (input.example !== null) {
      PayloadTooLargeError.check(input.example, this.config.maxPayloadBytes);
    }
    const compiled = input.schema === null ? null : CompiledSchema.compile(input.schema);
    if (compiled && input.example !== null) await this.checkExample(compiled, input.example);
    const { type, created, schemaHash } = await this.types.put(name, input);
    this.catalog.forget(name);
    if (compiled && schemaHash) this.catalog.remember(compiled.storedAs(schemaHash));
    return { type, created };
  }

  list(page: EventTypeListFilter): Promise<ListPage<EventType>> {
    return this.types.list(page);
  }

  async get(name: string): Promise<EventType> {
    return (await this.types.findByName(name)) ?? notFound();
  }

  /** Deletes it; events already published keep their type. */
  async delete(name: string): Promise<void> {
    const deleted = await this.types.delete(name);
    this.catalog.forget(name);
    if (!deleted) notFound();
  }

  /**
   * A test delivery (§14): the example of the type `name` to the webhook `webhookId`
   * alone, with the type set and no event; the webhook within `scope` (another tenant's
   * is not found, 404 code 5, checked before the type). An unknown type is a 404 (code
   * 18), one without an example a 400 naming `event_type`.
   */
  async sendTest(scope: Scope, webhookId: string, name: string): Promise<Delivery> {
    // The webhook first: a session probing another tenant's webhook hears 404 code 5
    // whatever the type, as for an unknown webhook.
    if (!(await this.webhooks.findById(scope, webhookId))) throw new NotFoundError('webhook');
    const type = await this.get(name);
    if (type.example === null) {
      throw new InvalidFieldError('event_type', 'has no example to send');
    }
    // A webhook's tenant never changes: the one found in scope above is the one written to.
    const created = await this.deliveries.create({
      webhookId,
      payload: type.example,
      eventType: name,
    });
    if (!created) throw new NotFoundError('webhook');
    this.waker.notify(created.dueInMs);
    return created.delivery;
  }

  /**
   * With a schema, the example must be JSON that matches it (400 naming `example`), checked
   * as a payload is, in a schema thread within its deadline: a schema that cannot check its
   * own example in time is refused (400 naming `schema`), since no publish could be
   * checked against it in time either. One that could not be checked for want of CPU, not
   * because it is costly, is a retryable SchemaCheckOverloadedError (503).
   */
  private async checkExample(schema: CompiledSchema, example: string): Promise<void> {
    try {
      JSON.parse(example);
    } catch (err) {
      throw new InvalidFieldError('example', `is not JSON (${(err as Error).message})`);
    }
    const verdict = await this.validators.check(schema, example);
    if ('overloaded' in verdict) throw new SchemaCheckOverloadedError();
    if (verdict.timedOut) {
      throw new InvalidFieldError(
        'schema',
        `is too costly to check: its example could not be checked within the time limit (${this.validators.deadlineMs} ms of CPU time)`,
      );
    }
    if (verdict.problems.length > 0) {
      throw new InvalidFieldError(
        'example',
        `does not match the schema: ${verdict.problems.join('; ')}`,
      );
    }
  }
}

function notFound(): never {
  throw new NotFoundError('event type');
}

function withDefaults(draft: EventTypeDraft): EventTypeInput {
  return {
    description: draft.description ?? '',
    schema: draft.schema ?? null,
    example: draft.example ?? null,
    deprecated: draft.deprecated ?? false,
  };
}
