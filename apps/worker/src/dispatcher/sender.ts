import * as http from 'node:http';
import * as https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance } from 'axios';
import { Inject, Injectable } from '@nestjs/common';
import type { AttemptResult, ClaimedDelivery } from '@app/domain';
import { POSTMAND_VERSION, type PostmandConfig } from '@app/platform';
import { BlockedAddressError, blockedReason, guardedLookup } from './network-guard';
import { formatRawRequest, formatRawResponse } from './raw-exchange';
import { signatureHeaders } from './signer';

/** What one attempt produced: the domain's AttemptResult. */
export type SendResult = AttemptResult;

/** Injection token of the sender's {@link SenderOptions}. */
export const SENDER_OPTIONS = 'SENDER_OPTIONS';

export interface SenderOptions {
  userAgent: string;
  maxResponseBytes: number;
  /** Refuse targets in loopback, private, link-local or metadata ranges (after DNS). */
  blockPrivateNetworks?: boolean;
}

/** The sender's options from the process configuration. */
export function senderOptions(config: PostmandConfig): SenderOptions {
  return {
    userAgent: `postmand/${POSTMAND_VERSION}`,
    maxResponseBytes: config.maxResponseBytes,
    blockPrivateNetworks: config.blockPrivateNetworks,
  };
}

/**
 * Sends one delivery: POST of the payload bytes with the documented headers and signatures (README "How delivery works"),
 * no redirects followed, the whole exchange (connect to last kept byte) bounded by the
 * webhook's timeout, at most POSTMAND_MAX_RESPONSE_BYTES of the body read. Connections
 * are kept alive and reused across deliveries to the same host.
 */
@Injectable()
export class Sender {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly client: AxiosInstance;

  private readonly options: SenderOptions;

  constructor(@Inject(SENDER_OPTIONS) options: SenderOptions) {
    this.options = options;
    // The guard resolves names at connect time: the addresses checked are the ones used.
    const lookup = options.blockPrivateNetworks ? guardedLookup : undefined;
    this.httpAgent = keepAliveOnce(new http.Agent({ keepAlive: true, scheduling: 'lifo', lookup }));
    this.httpsAgent = keepAliveOnce(
      new https.Agent({ keepAlive: true, scheduling: 'lifo', lookup }),
    );
    this.client = axios.create({
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      maxRedirects: 0,
      proxy: false,
      decompress: false,
      responseType: 'stream',
      validateStatus: () => true,
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
      transformRequest: [(data: unknown) => data],
    });
  }

  async send({ delivery, webhook }: ClaimedDelivery): Promise<SendResult> {
    const body = Buffer.from(delivery.payload, 'utf8');
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'Content-Type': webhook.contentType,
      'Content-Length': String(body.length),
      'User-Agent': this.options.userAgent,
      Accept: '*/*',
      'Accept-Encoding': 'identity',
      'webhook-id': delivery.id,
      'webhook-timestamp': String(timestamp),
      ...signatureHeaders({
        body,
        messageId: delivery.id,
        timestamp,
        secretToken: webhook.secretToken,
      }),
    };
    const url = new URL(webhook.url);
    const authorization = basicAuthorization(url);
    if (authorization) headers.Authorization = authorization;
    const rawRequest = formatRawRequest({
      url,
      // Recorded as sent, but an attempt is readable by every API client: not the password.
      headers: authorization ? { ...headers, Authorization: 'Basic ***' } : headers,
      body,
    });
    // An address written in the URL is never looked up, so the guard checks it here.
    const literal = this.options.blockPrivateNetworks ? blockedReason(url.hostname) : undefined;
    if (literal) {
      const error = describeError(new BlockedAddressError(url.hostname, url.hostname, literal));
      return { rawRequest, rawResponse: '', statusCode: 0, durationMs: 0, error };
    }
    const timeoutMs = webhook.deliveryAttemptTimeout * 1000;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let response: IncomingMessage | undefined;
    try {
      const res = await this.client.post<Readable>(url.href, body, {
        headers,
        signal: controller.signal,
      });
      // axios hands the body as its own stream; the status line and raw headers are on
      // the underlying IncomingMessage.
      response = (res.request as { res: IncomingMessage }).res;
      const { bytes, truncated } = await readCapped(res.data, this.options.maxResponseBytes);
      return {
        rawRequest,
        rawResponse: this.rawResponse(response, bytes, truncated),
        statusCode: res.status,
        durationMs: elapsed(),
        error: '',
        retryAfter: header(response, 'retry-after'),
      };
    } catch (err) {
      const timedOut = controller.signal.aborted;
      const error = timedOut
        ? `timeout: no complete response within ${webhook.deliveryAttemptTimeout} s`
        : describeError(err);
      return {
        rawRequest,
        // Headers that did arrive are kept: they tell what the server was doing.
        rawResponse: response ? this.rawResponse(response, Buffer.alloc(0), false) : '',
        statusCode: response?.statusCode ?? 0,
        durationMs: elapsed(),
        error: response ? `${error} (while reading the response body)` : error,
        retryAfter: response ? header(response, 'retry-after') : undefined,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes idle keep-alive connections (on shutdown). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private rawResponse(res: IncomingMessage, bytes: Buffer, truncated: boolean): string {
    return formatRawResponse({
      httpVersion: res.httpVersion,
      statusCode: res.statusCode ?? 0,
      statusMessage: res.statusMessage ?? '',
      rawHeaders: res.rawHeaders,
      body: bytes,
      truncatedAfter: truncated ? this.options.maxResponseBytes : undefined,
    });
  }
}

/**
 * The `Authorization: Basic …` header that the URL's userinfo (`http://alice:pw@host/`)
 * stands for, as browsers and HTTP clients send it (percent-decoded); the userinfo is
 * taken out of `url`, so that the header is the only place the credentials travel.
 */
export function basicAuthorization(url: URL): string | undefined {
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

const KEEP_ALIVE_SET = Symbol('postmand.keepAliveSet');

/**
 * Node's agent calls setKeepAlive (a setsockopt syscall) every time a socket goes back
 * to the pool; once per socket is enough. Profiling showed the repeats at ~6% of the
 * worker's CPU at a few thousand deliveries per second.
 */
function keepAliveOnce<T extends http.Agent>(agent: T): T {
  type KeepSocketAlive = (socket: Socket) => boolean;
  const original = (agent.keepSocketAlive as unknown as KeepSocketAlive).bind(agent);
  (agent as unknown as { keepSocketAlive: KeepSocketAlive }).keepSocketAlive = (socket) => {
    const marked = socket as typeof socket & { [KEEP_ALIVE_SET]?: boolean };
    if (marked[KEEP_ALIVE_SET]) {
      socket.unref();
      return true;
    }
    marked[KEEP_ALIVE_SET] = true;
    return original(socket);
  };
  return agent;
}

function header(res: IncomingMessage, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads at most `limit` bytes of the body. Past the limit the rest is not waited for:
 * the connection is closed, so a 10 MB or endless body costs `limit` bytes of memory.
 */
function readCapped(
  stream: Readable,
  limit: number,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (truncated: boolean): void => {
      stream.removeAllListeners('data');
      resolve({ bytes: Buffer.concat(chunks, Math.min(size, limit)), truncated });
    };
    stream.on('data', (chunk: Buffer) => {
      if (size < limit) chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
      if (size > limit) {
        finish(true);
        stream.destroy();
      }
    });
    stream.once('end', () => finish(false));
    stream.once('error', reject);
    stream.once('aborted', () => reject(new Error('the server closed the connection mid-body')));
  });
}

/** A short, useful text for a transport failure: refused, reset, DNS, TLS… */
function describeError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { message?: string } };
  let message = e.message || e.cause?.message || String(err);
  // OpenSSL's text ("write EPROTO 80…:error:0A00010B:SSL routines:ssl3_get_record:wrong
  // version number:../deps/openssl/…") shortened to its reason.
  const openssl = /:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(message);
  if (openssl) message = `TLS error: ${openssl[1]}`;
  return e.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}
