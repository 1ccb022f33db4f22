import { createHmac } from 'node:crypto';

export interface SignatureInput {
  /** The exact bytes sent as the body. */
  body: Buffer;
  /** `webhook-id`: the delivery id, the same on every retry. */
  messageId: string;
  /** `webhook-timestamp`: unix seconds of this attempt. */
  timestamp: number;
  secretToken: string;
  /** Secrets retired by a rotation that still sign (§9), newest first. */
  previousSecretTokens?: readonly string[];
}

/** The HMAC key: a `whsec_` token is base64 after the prefix (Standard Webhooks). */
export function standardWebhooksKey(secretToken: string): Buffer {
  return secretToken.startsWith('whsec_')
    ? Buffer.from(secretToken.slice('whsec_'.length), 'base64')
    : Buffer.from(secretToken, 'utf8');
}

/**
 * The signature headers for a signed webhook (none when the token is empty):
 * - `X-Hub-Signature`: hex HMAC-SHA256 of the body keyed by the token (the Go project's);
 * - `X-Hub-Signature-256`: the same as `sha256=<hex>` (GitHub's form);
 * - `webhook-signature`: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` (Standard
 *   Webhooks), once per live secret, newest first, separated by spaces: a receiver that
 *   knows either the new or an old secret during a rotation's grace period verifies it.
 * The X-Hub headers hold one signature only, so they use the newest secret.
 */
export function signatureHeaders(input: SignatureInput): Record<string, string> {
  if (input.secretToken === '') return {};
  const hex = createHmac('sha256', Buffer.from(input.secretToken, 'utf8'))
    .update(input.body)
    .digest('hex');
  const standard = [input.secretToken, ...(input.previousSecretTokens ?? [])].map(
    (token) =>
      `v1,${createHmac('sha256', standardWebhooksKey(token))
        .update(`${input.messageId}.${input.timestamp}.`)
        .update(input.body)
        .digest('base64')}`,
  );
  return {
    'X-Hub-Signature': hex,
    'X-Hub-Signature-256': `sha256=${hex}`,
    'webhook-signature': standard.join(' '),
  };
}
