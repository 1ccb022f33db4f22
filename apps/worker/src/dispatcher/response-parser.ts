import type { Socket } from 'node:net';
import { buildConnector } from 'undici';
import { fieldText } from './raw-exchange';
import {
  hasField,
  headEnd,
  isInterim,
  mayBeResponse,
  oneContentLength,
  type LengthChange,
} from './response-head';

/**
 * The most a response's header names and values may take together (docs/guarantees.md
 * "How delivery works"): 64 KiB, four times Node's default of 16 KiB, so a 20 KB `Set-Cookie` or a long
 * `Content-Security-Policy` is an answer like any other. Beyond it the attempt is a
 * transport error that says so (it bounds the memory one response can take).
 */
export const MAX_RESPONSE_HEADER_BYTES = 64 * 1024;

/**
 * undici's Agent option for {@link MAX_RESPONSE_HEADER_BYTES}: undici counts the bytes of
 * header names and values and fails once the count *reaches* its `maxHeaderSize`.
 */
export const UNDICI_MAX_HEADER_SIZE = MAX_RESPONSE_HEADER_BYTES + 1;

/** The parts of undici's HTTP/1 response parser (internal, per connection) used here. */
interface UndiciParser {
  llhttp: {
    llhttp_get_http_major(ptr: number): number;
    llhttp_get_http_minor(ptr: number): number;
    llhttp_set_lenient_chunked_length(ptr: number, on: number): void;
    llhttp_set_lenient_optional_cr_before_lf(ptr: number, on: number): void;
  };
  ptr: number | null;
  socket: Socket;
  statusCode: number;
  statusText: string;
  /** Header names and values as received: name, value, name, value… */
  headers: Buffer[];
  headersSize: number;
  /** The Content-Length values received, concatenated (undici compares it to the body). */
  contentLength: string;
  timeout: { refresh?: () => void } | null;
  paused: boolean;
  /** Set here: whether the next bytes start (or continue) a response head. */
  awaitingHead: boolean;
  /** Set here: the start of a head received so far, held back until its blank line. */
  heldHead: Buffer | null;
  /** Set here: the Content-Length fields changed in the head being parsed, to restore. */
  lengthChanges: LengthChange[] | null;
  execute: (this: UndiciParser, chunk: Buffer) => void;
  onMessageComplete: (this: UndiciParser) => number;
  onStatus: (this: UndiciParser, bytes: Buffer) => number;
  createError: (this: UndiciParser, code: number, data: Buffer) => Error;
  onHeadersComplete: (
    this: UndiciParser,
    statusCode: number,
    upgrade: boolean,
    shouldKeepAlive: boolean,
  ) => number;
}

// undici keeps each connection's parser on its socket under this symbol (undici 7).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { kParser } = require('undici/lib/core/symbols.js') as { kParser: symbol };

let arriving = '1.1';

/**
 * The HTTP version of the response whose head is being handed over right now: read it in
 * a handler's `onHeaders`, which runs inside the parser's callback (undici hands over the
 * status and headers, not the version, and records `HTTP/1.0` answers as `1.1` otherwise).
 */
export function arrivingHttpVersion(): string {
  return arriving;
}

/**
 * undici's connector (`options` as for an Agent's `connect`) whose connections parse
 * responses as real servers send them (SPEC §4): a `100 Continue` before the final answer
 * is skipped like any other interim response (undici takes it for a broken response,
 * since it never asks for one; Node's `res.writeContinue()` sends it unasked); chunked
 * framing wins over a Content-Length; a bare LF ends a line; a reason phrase is kept
 * whole; and the version of each response is known to {@link arrivingHttpVersion}.
 *
 * It reaches into undici 7's internals (the parser's symbol, fields and methods): the
 * table in test/worker/conformance.e2e-spec.ts fails if an upgrade moves them.
 */
export function conformingConnector(
  options: buildConnector.BuildOptions = {},
): buildConnector.connector {
  const connect = buildConnector(options);
  return (target, callback) =>
    connect(target, (...args) => {
      if (args[1]) adaptWhenAttached(args[1]);
      callback(...args);
    });
}

/**
 * undici attaches the parser to the socket right after this connector hands the socket
 * over: the first assignment is caught, the parser adapted, and the property becomes a
 * plain one again.
 */
function adaptWhenAttached(socket: Socket): void {
  if (typeof kParser !== 'symbol') return;
  Object.defineProperty(socket, kParser, {
    configurable: true,
    enumerable: true,
    get: () => undefined,
    set(parser: UndiciParser | null) {
      Object.defineProperty(socket, kParser, {
        configurable: true,
        enumerable: true,
        writable: true,
        value: parser,
      });
      if (parser) adapt(parser);
    },
  });
}

/** undici's own parser methods, wrapped by the ones below (taken from the first parser). */
let undici:
  | Pick<UndiciParser, 'onHeadersComplete' | 'createError' | 'execute' | 'onMessageComplete'>
  | undefined;

/**
 * Adapts one connection's parser. The replacement methods are the same functions for
 * every parser (no closure per connection), so the parser's call sites stay monomorphic.
 */
function adapt(parser: UndiciParser): void {
  const { llhttp, ptr } = parser;
  if (
    ptr === null ||
    typeof parser.onHeadersComplete !== 'function' ||
    typeof parser.createError !== 'function' ||
    typeof parser.execute !== 'function' ||
    typeof parser.onMessageComplete !== 'function' ||
    typeof llhttp?.llhttp_get_http_major !== 'function'
  ) {
    return;
  }
  undici ??= {
    onHeadersComplete: parser.onHeadersComplete,
    createError: parser.createError,
    execute: parser.execute,
    onMessageComplete: parser.onMessageComplete,
  };
  // RFC 9112's leeway for recipients, which llhttp offers as options: with both
  // Content-Length and chunked (Node's server sends both when an app sets both), chunked
  // frames the body (§6.3); a bare LF ends a line as CRLF does (§2.2: old HTTP/1.0 servers).
  llhttp.llhttp_set_lenient_chunked_length(ptr, 1);
  llhttp.llhttp_set_lenient_optional_cr_before_lf(ptr, 1);
  parser.onStatus = onStatus;
  parser.createError = createError;
  parser.onHeadersComplete = onHeadersComplete;
  parser.awaitingHead = true;
  parser.heldHead = null;
  parser.lengthChanges = null;
  parser.execute = execute;
  parser.onMessageComplete = onMessageComplete;
}

/**
 * undici keeps only the last piece of a reason phrase split across reads, as UTF-8 even
 * when it is not (Node's server writes "Très bien" in Latin-1): the pieces are joined here
 * byte for byte (Latin-1 keeps each byte) and decoded once the head is complete.
 */
function onStatus(this: UndiciParser, bytes: Buffer): number {
  this.statusText += bytes.toString('latin1');
  return 0;
}

/**
 * A head llhttp refuses (two Content-Length headers…) is reported by undici as a length
 * mismatch when a Content-Length was among its headers: the parser's own reason is the
 * true one.
 */
function createError(this: UndiciParser, code: number, data: Buffer): Error {
  if (this.statusCode === 0) this.contentLength = '';
  return undici!.createError.call(this, code, data);
}

/**
 * The most of a response head held back while its end is awaited: twice the header bytes
 * allowed, room for the names' colons and line ends. A longer head goes to the parser as
 * it came (which refuses it for its size).
 */
const HEAD_HOLD_LIMIT = 2 * MAX_RESPONSE_HEADER_BYTES;

/**
 * Feeds the parser: the bytes of a response head are held back until its blank line, so
 * that repeated identical Content-Length values can be made one before llhttp, which
 * refuses any repetition, sees them (RFC 9110 §8.6 lets a recipient take them as one;
 * Node's server sends `Content-Length` twice when an app sets it as `['2', '2']`).
 * Differing values reach llhttp as they came and stay refused. Body bytes go straight
 * through: only a chunk that starts in a head is looked at.
 */
function execute(this: UndiciParser, chunk: Buffer): void {
  if (!this.awaitingHead) {
    undici!.execute.call(this, chunk);
    return;
  }
  const held = this.heldHead;
  const data = held === null ? chunk : Buffer.concat([held, chunk]);
  this.heldHead = null;
  let start = 0; // of the head looked at
  let from = held === null ? 0 : Math.max(0, held.length - 3);
  let fed = data.length; // bytes that go to the parser now
  let bytes: Buffer | undefined;
  for (;;) {
    const end = headEnd(data, from);
    if (end < 0) {
      if (data.length - start > HEAD_HOLD_LIMIT || !mayBeResponse(data, start)) {
        this.awaitingHead = false; // until this message completes
      } else if (start < data.length) {
        this.heldHead = Buffer.from(data.subarray(start)); // a copy, not a view on the chunk
        fed = start;
      }
      break;
    }
    const head = data.subarray(start, end);
    if (isInterim(head)) {
      // No body: the next head follows at once, and is looked at too.
      start = from = end;
      continue;
    }
    const changed = oneContentLength(head);
    if (changed) {
      this.lengthChanges = changed.changes;
      bytes = Buffer.concat([data.subarray(0, start), changed.head, data.subarray(end)]);
    }
    break;
  }
  bytes ??= fed === data.length ? data : data.subarray(0, fed);
  if (bytes.length > 0) undici!.execute.call(this, bytes);
}

function onMessageComplete(this: UndiciParser): number {
  this.awaitingHead = true;
  return undici!.onMessageComplete.call(this);
}

function onHeadersComplete(
  this: UndiciParser,
  statusCode: number,
  upgrade: boolean,
  shouldKeepAlive: boolean,
): number {
  this.awaitingHead = false;
  if (statusCode === 100 && !upgrade && !this.socket.destroyed) {
    // As undici does for any other 1xx (RFC 9110 §15.2): no body, the final response
    // follows on the same connection. The status stays set until llhttp completes this
    // message, which resets the parser for the next one.
    this.statusCode = statusCode;
    this.headers = [];
    this.headersSize = 0;
    this.timeout?.refresh?.();
    return 1; // no body
  }
  const changes = this.lengthChanges;
  if (changes !== null && statusCode >= 200) {
    // The raw headers as received: the repeats dropped before llhttp go back in place.
    this.lengthChanges = null;
    for (const change of changes) {
      const value = Buffer.from(change.value, 'latin1');
      if (change.dropped === undefined) this.headers[2 * change.field + 1] = value;
      else this.headers.splice(2 * change.field, 0, Buffer.from(change.dropped, 'latin1'), value);
    }
  }
  if (/[^\x20-\x7e]/.test(this.statusText)) {
    this.statusText = fieldText(Buffer.from(this.statusText, 'latin1'));
  }
  // Chunked framing wins over a Content-Length, which undici would still compare.
  if (this.contentLength !== '' && hasField(this.headers, 'transfer-encoding')) {
    this.contentLength = '';
  }
  const { llhttp, ptr } = this;
  if (ptr !== null) {
    const major = llhttp.llhttp_get_http_major(ptr);
    const minor = llhttp.llhttp_get_http_minor(ptr);
    arriving = major === 1 && minor === 1 ? '1.1' : `${major}.${minor}`;
  }
  try {
    return undici!.onHeadersComplete.call(this, statusCode, upgrade, shouldKeepAlive);
  } finally {
    arriving = '1.1';
  }
}
