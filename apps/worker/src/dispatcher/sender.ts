import { performance } from 'node:perf_hooks';
import { Agent, Pool, type Dispatcher } from 'undici';
import { Inject, Injectable } from '@nestjs/common';
import type { AttemptResult, ClaimedDelivery } from '@app/domain';
import { POSTMAND_VERSION, type Cidr, type PostmandConfig } from '@app/platform';
import { NetworkGuard, PLATFORM_RULE, TENANT_RULE, allowList } from './network-guard';
import { deliveryRequest } from './delivery-request';
import { fieldText, formatRawResponse } from './raw-exchange';
import {
  MAX_RESPONSE_HEADER_BYTES,
  UNDICI_MAX_HEADER_SIZE,
  arrivingHttpVersion,
  conformingConnector,
} from './response-parser';

/** What one attempt produced: the domain's AttemptResult. */
export type SendResult = AttemptResult;

/** Injection token of the sender's {@link SenderOptions}. */
export const SENDER_OPTIONS = 'SENDER_OPTIONS';

export interface SenderOptions {
  userAgent: string;
  maxResponseBytes: number;
  /**
   * Refuse the platform's own webhooks' targets in loopback, private, link-local or
   * metadata ranges (after DNS); a tenant's webhooks always are.
   */
  blockPrivateNetworks?: boolean;
  /** Ranges the guard lets through, for every webhook. */
  allowedNetworks?: readonly Cidr[];
}

/** The sender's options from the process configuration. */
export function senderOptions(config: PostmandConfig): SenderOptions {
  return {
    userAgent: `postmand/${POSTMAND_VERSION}`,
    maxResponseBytes: config.maxResponseBytes,
    blockPrivateNetworks: config.blockPrivateNetworks,
    allowedNetworks: config.allowedNetworks,
  };
}

/** How one kind of webhook is sent: its agent, and the guard its connections pass. */
interface Route {
  agent: Agent;
  guard: NetworkGuard | undefined;
}

/**
 * Sends one delivery: POST of the payload bytes with the documented headers and signatures
 * (docs/guarantees.md "How delivery works"; the request is built by deliveryRequest,
 * delivery-request.ts), no redirects followed, the whole exchange (connect to
 * last kept byte) bounded by the webhook's timeout, at most POSTMAND_MAX_RESPONSE_BYTES of
 * the body read. Connections are kept alive and reused per origin.
 *
 * The client is undici's dispatcher (an Agent, a pool per origin) driven by a handler of
 * our own: it hands over the status line's reason phrase and the headers as received, in
 * their original case, which the raw response records, and it costs a fraction of the
 * CPU per request that axios did (0.06-0.10 ms against 0.44-0.49 ms). Responses are taken
 * as real servers send them (SPEC §4, docs/guarantees.md "How delivery works"): interim 1xx answers are
 * skipped, a 204 or 304 has no body whatever its Content-Length says, a body may end with
 * the connection, and headers may take up to MAX_RESPONSE_HEADER_BYTES.
 */
@Injectable()
export class Sender {
  /** The platform's own webhooks: guarded when POSTMAND_BLOCK_PRIVATE_NETWORKS is on. */
  private readonly platform: Route;
  /** Tenants' webhooks (SPEC §16): always guarded, since a tenant's user may type any URL. */
  private readonly tenants: Route;
  private readonly options: SenderOptions;

  constructor(@Inject(SENDER_OPTIONS) options: SenderOptions) {
    this.options = options;
    const allowed = allowList(options.allowedNetworks ?? []);
    const platformGuard = options.blockPrivateNetworks
      ? new NetworkGuard(allowed, PLATFORM_RULE)
      : undefined;
    // Two agents, never one: undici hands a pool's idle connection to any request for its
    // origin, so a connection a platform webhook opened unguarded (to an internal host)
    // would carry a tenant's request to that origin past the guard. Each keeps its own
    // connections alive and reuses them.
    this.platform = { agent: guardedAgent(platformGuard), guard: platformGuard };
    const tenantGuard = new NetworkGuard(allowed, TENANT_RULE);
    this.tenants = { agent: guardedAgent(tenantGuard), guard: tenantGuard };
  }

  async send(claimed: ClaimedDelivery): Promise<SendResult> {
    const { url, headers, body, rawRequest } = deliveryRequest(claimed, this.options.userAgent);
    // Only a webhook known to be the platform's goes unguarded (a tenant id left out of
    // what the claim returns reads as undefined: guarded).
    const route = claimed.webhook.tenantId === null ? this.platform : this.tenants;
    // An address written in the URL is never looked up, so the guard checks it here.
    const refused = route.guard?.refusal(url.hostname);
    if (refused) {
      const error = describeError(refused);
      return {
        rawRequest,
        requestBodyOmitted: true,
        rawResponse: '',
        statusCode: 0,
        durationMs: 0,
        error,
      };
    }
    const timeout = claimed.webhook.deliveryAttemptTimeout;
    const exchange = await this.exchange(route.agent, url, headers, body, timeout);
    const response = exchange.response;
    const error =
      exchange.error && response
        ? `${exchange.error} (while reading the response body)`
        : exchange.error;
    return {
      rawRequest,
      requestBodyOmitted: true,
      // Headers that did arrive are kept, even when the body did not: they tell what the
      // server was doing.
      rawResponse: response ? this.rawResponse(response, error ? undefined : exchange) : '',
      statusCode: response?.statusCode ?? 0,
      durationMs: exchange.durationMs,
      error,
      retryAfter: response ? rawHeader(response.rawHeaders, 'retry-after') : undefined,
    };
  }

  /** Closes idle keep-alive connections (on shutdown). */
  close(): void {
    for (const { agent } of [this.platform, this.tenants]) {
      void agent.destroy().catch(() => undefined);
    }
  }

  /**
   * One POST through the agent. Resolves (never rejects) once the response is complete,
   * the body has passed the limit (the connection is then closed: a 10 MB or endless body
   * costs `limit` bytes), the timeout has run out, or the exchange failed.
   */
  private exchange(
    agent: Agent,
    url: URL,
    headers: Record<string, string>,
    body: Buffer,
    timeoutSeconds: number,
  ): Promise<Exchange> {
    const limit = this.options.maxResponseBytes;
    const started = performance.now();
    return new Promise((resolve) => {
      const result: Exchange = { body: [], size: 0, truncated: false, error: '', durationMs: 0 };
      let abort: ((reason: Error) => void) | undefined;
      let done = false;
      const finish = (error = ''): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        result.error = error;
        result.durationMs = Math.round(performance.now() - started);
        resolve(result);
      };
      const timer = setTimeout(() => {
        finish(`timeout: no complete response within ${timeoutSeconds} s`);
        abort?.(new Error('timeout'));
      }, timeoutSeconds * 1000);
      const handler: Dispatcher.DispatchHandler = {
        onConnect: (abortRequest) => {
          abort = abortRequest;
          if (done) abortRequest(new Error('timeout'));
        },
        onHeaders: (statusCode, rawHeaders, _resume, statusText) => {
          // An interim answer (103 Early Hints…): the final one follows.
          if (statusCode < 200) return true;
          result.response = {
            httpVersion: arrivingHttpVersion(),
            statusCode,
            statusText,
            rawHeaders: rawHeaders.map(fieldText),
          };
          return true;
        },
        onData: (chunk) => {
          if (result.size < limit) result.body.push(chunk.subarray(0, limit - result.size));
          result.size += chunk.length;
          if (result.size <= limit) return true;
          result.truncated = true;
          finish();
          abort?.(new Error('response body over the limit'));
          return false;
        },
        onComplete: () => finish(),
        onError: (err) => finish(bodiless(result.response, err) ? '' : describeError(err)),
      };
      try {
        agent.dispatch(
          {
            origin: url.origin,
            path: `${url.pathname || '/'}${url.search}`,
            method: 'POST',
            headers,
            body,
            // Our timer bounds the whole exchange; these only must not cut it shorter.
            headersTimeout: timeoutSeconds * 1000 + 1000,
            bodyTimeout: timeoutSeconds * 1000 + 1000,
          },
          handler,
        );
      } catch (err) {
        // Refused before anything was sent (undici validates the request): an attempt
        // that failed, like any transport error.
        finish(describeError(err));
      }
    });
  }

  private rawResponse(response: ExchangeResponse, read: Exchange | undefined): string {
    return formatRawResponse({
      httpVersion: response.httpVersion,
      statusCode: response.statusCode,
      statusMessage: response.statusText,
      rawHeaders: response.rawHeaders,
      body: read ? Buffer.concat(read.body) : Buffer.alloc(0),
      truncatedAfter: read?.truncated ? this.options.maxResponseBytes : undefined,
    });
  }
}

/**
 * An agent whose connections resolve names through `guard` (at connect time: the
 * addresses checked are the ones used), or as usual without one.
 */
function guardedAgent(guard: NetworkGuard | undefined): Agent {
  const connect = guard ? { lookup: guard.lookup } : {};
  return new Agent({
    maxHeaderSize: UNDICI_MAX_HEADER_SIZE,
    // A connector per origin, as undici builds by itself (each keeps its TLS sessions).
    factory: (origin, opts) =>
      new Pool(origin, { ...(opts as Pool.Options), connect: conformingConnector(connect) }),
  });
}

/** What came back: the status line and the headers as received (name, value, …). */
interface ExchangeResponse {
  /** As the server stated it: "1.1", "1.0". */
  httpVersion: string;
  statusCode: number;
  statusText: string;
  rawHeaders: string[];
}

interface Exchange {
  response?: ExchangeResponse;
  body: Buffer[];
  size: number;
  truncated: boolean;
  /** Transport failure text; "" when the response is complete (or cut at the limit). */
  error: string;
  durationMs: number;
}

/** The first value of header `name` (any case) in raw headers: name, value, name, … */
function rawHeader(rawHeaders: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === name) return rawHeaders[i + 1];
  }
  return undefined;
}

/**
 * Whether `err` only says that a 204 or 304 came with a Content-Length: such a response
 * has no body whatever its headers say (RFC 9112 §6.3), and Node's own server sends one
 * (`res.writeHead(204, {'Content-Length': 2})`). undici 7 exempts only answers to HEAD: it
 * reports the response complete and then fails it, after closing the connection (which
 * also drops any body bytes a server wrongly sent after the head).
 */
function bodiless(response: ExchangeResponse | undefined, err: unknown): boolean {
  return (
    (response?.statusCode === 204 || response?.statusCode === 304) &&
    (err as { code?: string }).code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'
  );
}

/** A short, useful text for a transport failure: refused, reset, DNS, TLS… */
function describeError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { message?: string } };
  if (e.code === 'UND_ERR_HEADERS_OVERFLOW') {
    return `response headers over the ${MAX_RESPONSE_HEADER_BYTES / 1024} KiB limit (${e.code})`;
  }
  let message = e.message || e.cause?.message || String(err);
  // OpenSSL's text ("write EPROTO 80…:error:0A00010B:SSL routines:ssl3_get_record:wrong
  // version number:../deps/openssl/…") shortened to its reason.
  const openssl = /:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(message);
  if (openssl) message = `TLS error: ${openssl[1]}`;
  return e.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}
