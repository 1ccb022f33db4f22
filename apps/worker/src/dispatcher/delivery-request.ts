import type { ClaimedDelivery } from '@app/domain';
import { formatRawRequest } from './raw-exchange';
import { signatureHeaders } from './signer';

const EMPTY = Buffer.alloc(0);

/** One delivery's request, as the sender sends it and its attempt records it. */
export interface DeliveryRequest {
  /** The webhook's URL, its userinfo taken out (it travels as Authorization). */
  url: URL;
  headers: Record<string, string>;
  /** The payload's bytes. */
  body: Buffer;
  /** The head as sent, the password masked: what the attempt records. */
  rawRequest: string;
}

/**
 * The request of a claimed delivery (docs/guarantees.md "How delivery works"): a POST of
 * the payload bytes with the documented headers, Standard Webhooks' `webhook-id`,
 * `webhook-timestamp` and signatures (signer.ts: the secret, and the previous ones that
 * still sign), the event's id and type for a delivery of an event, and the URL's
 * userinfo as Basic credentials.
 */
export function deliveryRequest(
  { delivery, webhook }: ClaimedDelivery,
  userAgent: string,
): DeliveryRequest {
  const body = Buffer.from(delivery.payload, 'utf8');
  const timestamp = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'Content-Type': webhook.contentType,
    'Content-Length': String(body.length),
    'User-Agent': userAgent,
    Accept: '*/*',
    'Accept-Encoding': 'identity',
    'webhook-id': delivery.id,
    'webhook-timestamp': String(timestamp),
    ...signatureHeaders({
      body,
      messageId: delivery.id,
      timestamp,
      secretToken: webhook.secretToken,
      previousSecretTokens: webhook.previousSecrets?.map((p) => p.secret_token),
    }),
  };
  // A test delivery (§14) carries its type without an event.
  if (delivery.eventId) headers['X-Postmand-Event-Id'] = delivery.eventId;
  if (delivery.eventType) headers['X-Postmand-Event-Type'] = delivery.eventType;
  const url = new URL(webhook.url);
  const authorization = basicAuthorization(url);
  if (authorization) headers.Authorization = authorization;
  // Recorded as sent, but an attempt is readable by every API client: not the password.
  // Its body is the payload, stored once on the delivery: the attempt keeps the head.
  const rawRequest = formatRawRequest({
    url,
    headers: authorization ? { ...headers, Authorization: 'Basic ***' } : headers,
    body: EMPTY,
  });
  return { url, headers, body, rawRequest };
}

/**
 * The `Authorization: Basic …` header that the URL's userinfo (`http://alice:pw@host/`)
 * stands for, as browsers and HTTP clients send it (percent-decoded); the userinfo is
 * taken out of `url`, so that the header is the only place the credentials travel.
 */
function basicAuthorization(url: URL): string | undefined {
  if (!url.username && !url.password) return undefined;
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const credentials = `${decode(url.username)}:${decode(url.password)}`;
  url.username = '';
  url.password = '';
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}
