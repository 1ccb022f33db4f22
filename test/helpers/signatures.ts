import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { ReceivedRequest } from './receiver';

/** Whether the public Standard Webhooks verifier accepts `req` signed with `secret`. */
export function standardVerifies(secret: string, req: ReceivedRequest): boolean {
  try {
    new StandardWebhook(secret).verify(req.body.toString(), {
      'webhook-id': String(req.headers['webhook-id']),
      'webhook-timestamp': String(req.headers['webhook-timestamp']),
      'webhook-signature': String(req.headers['webhook-signature']),
    });
    return true;
  } catch {
    return false;
  }
}
