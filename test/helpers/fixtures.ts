import { WEBHOOK_DEFAULTS, type WebhookInput } from '@app/domain';

/** A valid webhook with the SPEC defaults; override what a test is about. */
export function webhookInput(overrides: Partial<WebhookInput> = {}): WebhookInput {
  return {
    name: 'Orders endpoint',
    url: 'http://127.0.0.1:9/hook',
    contentType: 'application/json',
    validStatusCodes: [200, 201],
    ...WEBHOOK_DEFAULTS,
    eventTypes: [...WEBHOOK_DEFAULTS.eventTypes],
    ...overrides,
  };
}
