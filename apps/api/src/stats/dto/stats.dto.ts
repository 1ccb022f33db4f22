import { ApiProperty } from '@nestjs/swagger';
import type { AttemptFigures, DeliveryStats, WebhookSuccess } from '@app/domain';

export class AttemptFiguresDto {
  /** Attempts that succeeded. @example 120 */
  @ApiProperty({ type: 'integer' })
  succeeded!: number;
  /** Attempts that failed (any outcome but success). @example 3 */
  @ApiProperty({ type: 'integer' })
  failed!: number;
  /** Median attempt duration in milliseconds; null without attempts. @example 12 */
  @ApiProperty({ type: 'integer', nullable: true })
  p50_ms!: number | null;
  /** 90th percentile attempt duration in milliseconds. @example 40 */
  @ApiProperty({ type: 'integer', nullable: true })
  p90_ms!: number | null;
  /** 99th percentile attempt duration in milliseconds. @example 180 */
  @ApiProperty({ type: 'integer', nullable: true })
  p99_ms!: number | null;

  static from(this: void, f: AttemptFigures): AttemptFiguresDto {
    return {
      succeeded: f.succeeded,
      failed: f.failed,
      p50_ms: f.p50Ms,
      p90_ms: f.p90Ms,
      p99_ms: f.p99Ms,
    };
  }
}

export class SecondFiguresDto extends AttemptFiguresDto {
  /** The start of the second. @example "2026-12-02T12:00:00.000Z" */
  @ApiProperty({ type: 'string', format: 'date-time' })
  at!: string;
}

export class StatsDto {
  /** When these figures were read (the database's clock). @example "2026-12-02T12:01:00.412Z" */
  @ApiProperty({ type: 'string', format: 'date-time' })
  generated_at!: string;
  /** Seconds the figures cover, ending at the last whole second. @example 60 */
  @ApiProperty({ type: 'integer' })
  window_seconds!: number;
  /** Attempts per second of the window, oldest first, every second present. */
  @ApiProperty({ type: [SecondFiguresDto] })
  seconds!: SecondFiguresDto[];
  /** The whole window at once. */
  window!: AttemptFiguresDto;
  /** Deliveries due now and not in flight (counted up to a cap). @example 0 */
  @ApiProperty({ type: 'integer' })
  due_backlog!: number;
  /** True when the count stopped at its cap: the backlog is at least due_backlog. */
  due_backlog_capped!: boolean;
  /** How long the oldest due delivery has waited, in seconds. @example 0 */
  oldest_due_seconds!: number;
  /** Webhooks whose circuit is open or half-open. @example 0 */
  @ApiProperty({ type: 'integer' })
  open_circuits!: number;
  /** Webhooks postmand disabled (410 Gone, or failing too long). @example 0 */
  @ApiProperty({ type: 'integer' })
  disabled_webhooks!: number;

  static from(this: void, s: DeliveryStats): StatsDto {
    return {
      generated_at: s.generatedAt.toISOString(),
      window_seconds: s.windowSeconds,
      seconds: s.seconds.map((x) => ({
        at: x.at.toISOString(),
        ...AttemptFiguresDto.from(x),
      })),
      window: AttemptFiguresDto.from(s.window),
      due_backlog: s.dueBacklog,
      due_backlog_capped: s.dueBacklogCapped,
      oldest_due_seconds: s.oldestDueSeconds,
      open_circuits: s.openCircuits,
      disabled_webhooks: s.disabledWebhooks,
    };
  }
}

export class WebhookSuccessDto {
  @ApiProperty({ type: 'string', format: 'uuid' })
  webhook_id!: string;
  /** Attempts looked at: the webhook's most recent, at most 100. @example 100 */
  @ApiProperty({ type: 'integer' })
  attempts!: number;
  /** Of those, the successful ones. @example 97 */
  @ApiProperty({ type: 'integer' })
  successes!: number;
  /** successes / attempts, or null when the webhook has no attempt. @example 0.97 */
  @ApiProperty({ type: 'number', nullable: true })
  success_rate!: number | null;
  /** The newest attempt's time, or null. @example "2026-12-02T12:00:59.120Z" */
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  last_attempt_at!: string | null;

  static from(this: void, w: WebhookSuccess): WebhookSuccessDto {
    return {
      webhook_id: w.webhookId,
      attempts: w.attempts,
      successes: w.successes,
      success_rate: w.attempts === 0 ? null : w.successes / w.attempts,
      last_attempt_at: w.lastAttemptAt?.toISOString() ?? null,
    };
  }
}

export class WebhookSuccessListDto {
  /** One entry per webhook asked for, in the order asked. */
  @ApiProperty({ type: [WebhookSuccessDto] })
  webhooks!: WebhookSuccessDto[];
}
