import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import { UnitOfWork } from '../common/unit-of-work';
import { healthReports, type HealthTransition } from '../endpoint-health/endpoint-health.rules';
import { WebhookHealthRepository } from '../endpoint-health/webhook-health.repository';
import { EventsService } from '../event/events.service';
import { CompletionRepository } from './completion.repository';
import type { AttemptOutcome } from './dispatch.types';

/** postmand's own event types (§7). */
export const OPERATIONAL_EVENT_TYPES = {
  circuit_opened: 'postmand.webhook.circuit_opened',
  circuit_closed: 'postmand.webhook.circuit_closed',
  disabled: 'postmand.webhook.disabled',
  deliveryFailed: 'postmand.delivery.failed',
} as const;

/** What recording a batch did. */
export interface RecordedBatch {
  /**
   * Deliveries whose outcome was written (the others had lost their lease), by id, each
   * with its tenant.
   */
  recorded: ReadonlyMap<string, string | null>;
  transitions: HealthTransition[];
}

/**
 * Records a batch of attempt outcomes. Most batches are one statement: successes of
 * healthy webhooks (limited ones free their slots in it). A batch with a failure, or a
 * success of a webhook that had failures, is one transaction that also updates their
 * webhooks' health (circuit, auto-disable) and publishes the operational events that
 * follow, so an event is stored exactly when its cause is. They are published without a
 * tenant, to the platform's own webhooks (§11: a tenant's endpoint never hears of another's
 * state); their data names the webhook's tenant.
 * Deliveries of operational events never publish any (nothing loops).
 */
@Injectable()
export class AttemptRecorder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly completion: CompletionRepository,
    private readonly health: WebhookHealthRepository,
    private readonly events: EventsService,
    @Inject(POSTMAND_CONFIG) private readonly config: PostmandConfig,
  ) {}

  async record(outcomes: AttemptOutcome[]): Promise<RecordedBatch> {
    if (!outcomes.some((o) => o.touchesHealth)) {
      const recorded = await this.completion.complete(outcomes, { heal: true });
      return { recorded, transitions: [] };
    }
    let uow: UnitOfWork | undefined;
    const batch = await this.dataSource.transaction(async (manager) => {
      uow = new UnitOfWork(manager);
      const recorded = await this.completion.complete(outcomes, { sql: manager });
      const done = outcomes.filter((o) => recorded.has(o.deliveryId));
      const transitions = await this.health.apply(healthReports(done), this.config, manager);
      const now = new Date().toISOString();
      for (const t of transitions.filter((t) => t.regular)) {
        await this.publish(uow, OPERATIONAL_EVENT_TYPES[t.kind], now, {
          webhook_id: t.webhookId,
          tenant_id: t.tenantId,
          reason: t.reason,
        });
      }
      for (const o of done.filter((o) => o.status === 'failed' && !o.operational)) {
        await this.publish(uow, OPERATIONAL_EVENT_TYPES.deliveryFailed, now, {
          webhook_id: o.webhookId,
          tenant_id: recorded.get(o.deliveryId) ?? null,
          delivery_id: o.deliveryId,
          event_id: o.eventId,
          attempts: o.attempts,
          last_attempt: {
            id: o.attemptId,
            response_status_code: o.responseStatusCode,
            error: o.error,
          },
        });
      }
      return { recorded, transitions };
    });
    uow?.committed();
    return batch;
  }

  /** An operational event, in Standard Webhooks' shape: {type, timestamp, data}. */
  private async publish(uow: UnitOfWork, type: string, timestamp: string, data: object) {
    await this.events.publish(
      { eventType: type, payload: JSON.stringify({ type, timestamp, data }) },
      uow,
    );
  }
}
