import type { WebhookInput } from '@app/domain';

/** A valid webhook with the SPEC defaults; override what a test is about. */
export function webhookInput(overrides: Partial<WebhookInput> = {}): WebhookInput {
  return {
    name: 'Orders endpoint',
    url: 'http://127.0.0.1:9/hook',
    contentType: 'application/json',
    validStatusCodes: [200, 201],
    secretToken: '',
    active: true,
    maxDeliveryAttempts: 5,
    deliveryAttemptTimeout: 10,
    retryMinBackoff: 10,
    retryMaxBackoff: 3600,
    ...overrides,
  };
}
