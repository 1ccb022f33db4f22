import { Inject, Injectable, Logger } from '@nestjs/common';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import type { BoundedPage } from '../common/bounded-page';
import {
  FanOutTooLargeError,
  InvalidFieldError,
  NotFoundError,
  PayloadTooLargeError,
  SchemaCheckOverloadedError,
  SchemaMismatchError,
} from '../common/domain-errors';
import { afterCommit, type UnitOfWork } from '../common/unit-of-work';
import { DeliveryWaker } from '../delivery/delivery-waker';
import { EventTypeCatalog } from '../event-type/event-type-catalog';
import { SchemaValidatorPool } from '../event-type/schema-validator-pool';
import type { Scope } from '../tenant/scope';
import type { Event } from './event.entity';
import { EventRepository, type EventInput, type EventListFilter } from './event.repository';
import { RESERVED_PREFIX } from './event-type.rules';

/**
 * Publishing: an event of a type becomes one delivery for every webhook subscribed to
 * the type at that moment, active or not (§5); the workers are woken once, after the
 * commit, however many deliveries it made. Its payload × the webhooks it matches is at
 * most POSTMAND_MAX_FANOUT_BYTES (what one publish commits the workers to send), else
 * nothing is stored. postmand's own events (`postmand.`, small, published in the
 * worker's transaction that records their cause) are not bounded: refusing one would
 * fail that transaction.
 */
@Injectable()
export class EventsService {
  private readonly logger = new Logger(EventsService.name);

  constructor(
    private readonly events: EventRepository,
    private readonly waker: DeliveryWaker,
    private readonly catalog: EventTypeCatalog,
    private readonly validators: SchemaValidatorPool,
    @Inject(POSTMAND_CONFIG) private readonly config: PostmandConfig,
  ) {}

  async publish(input: EventInput, uow?: UnitOfWork): Promise<Event> {
    const bytes = PayloadTooLargeError.check(input.payload, this.config.maxPayloadBytes);
    const reserved = input.eventType.startsWith(RESERVED_PREFIX);
    if (!reserved) await this.checkType(input, uow);
    const maxMatches = reserved
      ? Infinity
      : Math.floor(this.config.maxFanoutBytes / Math.max(1, bytes));
    const published = await this.events.publish(input, maxMatches, uow);
    if (!published.event) {
      if (published.unknownTenant) throw new NotFoundError('tenant');
      throw new FanOutTooLargeError(bytes, published.matches, this.config.maxFanoutBytes);
    }
    if (published.event.deliveryCount > 0) {
      afterCommit(uow, () => this.waker.notify(published.dueInMs));
    }
    return published.event;
  }

  /**
   * The catalogue's rules (§14), before anything is stored: with POSTMAND_EVENT_TYPES
   * `registered`, a type outside the catalogue is refused (a deprecated one still
   * publishes); a type with a schema takes only payloads that match it. The catalogue is
   * read from this process's cache (EventTypeCatalog): no query for most publishes.
   * The payload is checked in a schema thread, within its deadline: a payload too costly
   * to check (more than the deadline's CPU time) is refused as not matching (one problem
   * at the empty pointer); one that could not be checked for want of CPU is refused as
   * retryable (SchemaCheckOverloadedError, a 503); both are logged with the type (never
   * the payload). A type whose stored schema cannot be used
   * is a server error (logged by the catalogue), not the client's.
   */
  private async checkType(input: EventInput, uow?: UnitOfWork): Promise<void> {
    const type = await this.catalog.lookup(input.eventType, uow?.sql);
    if (!type) {
      if (this.config.eventTypes === 'registered') {
        throw new InvalidFieldError(
          'event_type',
          'is not in the event type catalogue (POSTMAND_EVENT_TYPES=registered)',
        );
      }
      return;
    }
    if (type.unusable) {
      throw new Error(`the stored schema of event type ${input.eventType} cannot be used`);
    }
    if (!type.schema) return;
    const verdict = await this.validators.check(type.schema, input.payload);
    if ('overloaded' in verdict) {
      this.logger.warn(
        `a payload of event type ${input.eventType} could not be checked against its schema: the schema thread was starved of CPU, or its time was judged by wall clock; refused as retryable (503)`,
      );
      throw new SchemaCheckOverloadedError();
    }
    if (verdict.timedOut) {
      this.logger.warn(
        `a payload of event type ${input.eventType} could not be checked against its schema within the time limit (${this.validators.deadlineMs} ms of CPU time); refused (422)`,
      );
      throw new SchemaMismatchError([': could not be checked within the time limit']);
    }
    if (verdict.problems.length > 0) throw new SchemaMismatchError(verdict.problems);
  }

  async get(scope: Scope, id: string): Promise<Event> {
    const event = await this.events.findById(scope, id);
    if (!event) throw new NotFoundError('event');
    return event;
  }

  page(scope: Scope, filter: EventListFilter): Promise<BoundedPage<Event>> {
    return this.events.page(scope, filter);
  }
}
