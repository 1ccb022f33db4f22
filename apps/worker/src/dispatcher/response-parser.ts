import type { Socket } from 'node:net';
import { buildConnector } from 'undici';

/**
 * The most a response's header names and values may take together (README "How delivery
 * works"): 64 KiB, four times Node's default of 16 KiB, so a 20 KB `Set-Cookie` or a long
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
  };
  ptr: number | null;
  socket: Socket;
  statusCode: number;
  headers: Buffer[];
  headersSize: number;
  timeout: { refresh?: () => void } | null;
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
 * since it never asks for one; Node's `res.writeContinue()` sends it unasked), and the
 * version of each response is known to {@link arrivingHttpVersion}.
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

function adapt(parser: UndiciParser): void {
  const onHeadersComplete = parser.onHeadersComplete;
  if (typeof onHeadersComplete !== 'function') return;
  const llhttp = parser.llhttp;
  const versioned = typeof llhttp?.llhttp_get_http_major === 'function';
  parser.onHeadersComplete = function (statusCode, upgrade, shouldKeepAlive) {
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
    if (versioned && this.ptr !== null) {
      arriving = `${llhttp.llhttp_get_http_major(this.ptr)}.${llhttp.llhttp_get_http_minor(this.ptr)}`;
    }
    try {
      return onHeadersComplete.call(this, statusCode, upgrade, shouldKeepAlive);
    } finally {
      arriving = '1.1';
    }
  };
}
