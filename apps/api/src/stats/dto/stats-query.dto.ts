import { ApiProperty } from '@nestjs/swagger';
import { registerDecorator } from 'class-validator';
import { SUCCESS_RATE_MAX_WEBHOOKS } from '@app/domain';
import { isUuid } from '../../validation/validators';

const MESSAGE = `must be 1–${SUCCESS_RATE_MAX_WEBHOOKS} webhook ids (UUIDs), separated by commas`;

function isIdList(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const ids = value.split(',');
  return ids.length >= 1 && ids.length <= SUCCESS_RATE_MAX_WEBHOOKS && ids.every(isUuid);
}

export class WebhookSuccessQueryDto {
  /** The webhooks, by id, separated by commas (at most 100: a page of the list). */
  @ApiProperty({ type: 'string', example: '0b5e3c1e-8f0a-4d52-9d0e-6c1f1b0c7a11' })
  webhook_ids!: string;

  ids(): string[] {
    return this.webhook_ids.split(',').map((id) => id.toLowerCase());
  }
}

registerDecorator({
  name: 'isWebhookIdList',
  target: WebhookSuccessQueryDto,
  propertyName: 'webhook_ids',
  options: { message: MESSAGE },
  validator: { validate: isIdList },
});

/** `GET /v1/stats` takes no parameter: any one given is refused, as on every route. */
export class StatsQueryDto {}
