import type { ServerResponse } from 'node:http';
import { PLATFORM_SCOPE, type Delivery } from '@app/domain';
import { DispatcherFixture, type AttemptRow } from '../helpers/dispatcher-fixture';
import { RawHttpServer, type RawAnswer } from '../helpers/raw-http-server';
import { eventually } from '../helpers/wait';

/** The documented limit on a response's header names and values together (docs/guarantees.md). */
const HEADER_LIMIT = 64 * 1024;

/** A header section whose names and values take exactly `bytes` bytes, as X-Fill lines. */
function headersTaking(bytes: number, already: number): string {
  const lines: string[] = [];
  let left = bytes - already;
  for (let i = 0; left > 0; i++) {
    const name = `X-Fill-${String(i).padStart(3, '0')}`; // 10 bytes
    const value = 'v'.repeat(Math.min(8000, left - name.length));
    lines.push(`${name}: ${value}\r\n`);
    left -= name.length + value.length;
  }
  return lines.join('');
}

interface Case extends RawAnswer {
  status: number;
  /** Judged by its status: every 2xx is valid here. */
  success: boolean;
  /** What raw_response starts with (the server's own status line). */
  starts: string;
  /** What raw_response ends with: the header section's end and the body kept. */
  ends?: string;
  error?: RegExp;
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

/**
 * SPEC §4 "Responses as real servers send them": each answer is exact bytes from a raw
 * TCP server, and each must be recorded with its real status, its own version and outcome,
 * after one attempt. Transport errors are only headers beyond the documented limit and
 * what is not HTTP or has framing the parser cannot trust (the last cases).
 */
const CASES: Record<string, Case> = {
  '204-content-length-no-body': {
    bytes: 'HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\n',
    status: 204,
    success: true,
    starts: 'HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\n',
  },
  '204-content-length-with-body-bytes': {
    bytes: 'HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\nok',
    status: 204,
    success: true,
    starts: 'HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\n',
    ends: '\r\n\r\n',
  },
  '204-plain': {
    bytes: 'HTTP/1.1 204 No Content\r\nDate: Mon, 07 Dec 2026 12:00:00 GMT\r\n\r\n',
    status: 204,
    success: true,
    starts: 'HTTP/1.1 204 No Content\r\nDate: ',
    ends: 'GMT\r\n\r\n',
  },
  '304-content-length': {
    bytes: 'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 120\r\n\r\n',
    status: 304,
    success: false,
    starts: 'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 120\r\n\r\n',
  },
  '200-empty-content-length-0': {
    bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
  },
  '404-with-body': {
    bytes:
      'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found',
    status: 404,
    success: false,
    starts: 'HTTP/1.1 404 Not Found\r\n',
    ends: '\r\n\r\nnot found',
  },
  '100-continue-then-200': {
    bytes: `HTTP/1.1 100 Continue\r\n\r\n${OK}`,
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  },
  '100-continue-alone-then-201': {
    bytes: [
      'HTTP/1.1 100 Continue\r\n\r\n',
      'HTTP/1.1 201 Created\r\nContent-Length: 7\r\n\r\ncreated',
    ],
    status: 201,
    success: true,
    starts: 'HTTP/1.1 201 Created\r\nContent-Length: 7\r\n\r\ncreated',
  },
  '103-early-hints-then-200': {
    bytes:
      'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhints',
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhints',
  },
  '100-and-103-then-202': {
    bytes:
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.js>; rel=preload\r\n\r\n' +
      'HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n',
    status: 202,
    success: true,
    starts: 'HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n',
  },
  'http-1.0-close-delimited': {
    bytes: 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello from 1.0',
    close: true,
    status: 200,
    success: true,
    starts: 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello from 1.0',
  },
  'http-1.0-content-length': {
    bytes: 'HTTP/1.0 201 Created\r\nContent-Length: 4\r\n\r\ndone',
    close: true,
    status: 201,
    success: true,
    starts: 'HTTP/1.0 201 Created\r\nContent-Length: 4\r\n\r\ndone',
  },
  'http-1.0-500-close-delimited': {
    bytes: ['HTTP/1.0 500 Internal Server Error\r\n\r\n', 'broken', ' badly'],
    close: true,
    status: 500,
    success: false,
    starts: 'HTTP/1.0 500 Internal Server Error\r\n\r\nbroken badly',
  },
  'http-1.1-close-delimited': {
    bytes: ['HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nfirst part, ', 'second part'],
    close: true,
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nfirst part, second part',
  },
  'http-1.1-close-delimited-no-connection-header': {
    bytes: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the close',
    close: true,
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the close',
  },
  'chunked-with-trailers': {
    bytes: [
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n',
      '5\r\nhello\r\n6;ext=1\r\n world\r\n',
      '0\r\nX-Checksum: abc123\r\n\r\n',
    ],
    status: 200,
    success: true,
    starts:
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\nhello world',
  },
  'chunked-empty': {
    bytes: 'HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    status: 202,
    success: true,
    starts: 'HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n',
    ends: '\r\n\r\n',
  },
  'status-line-split-across-segments': {
    bytes: ['HTTP/1.', '1 20', '0 OK\r\nContent-Le', 'ngth: 2\r\n\r', '\no', 'k'],
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  },
  'set-cookie-20-kb': {
    bytes: `HTTP/1.1 200 OK\r\nSet-Cookie: session=${'c'.repeat(20 * 1024)}; Path=/; HttpOnly\r\nContent-Length: 2\r\n\r\nok`,
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nSet-Cookie: session=cccc',
    ends: `cccc; Path=/; HttpOnly\r\nContent-Length: 2\r\n\r\nok`,
  },
  'headers-at-the-limit': {
    // Content-Length (14) + 1 + the X-Fill lines: names and values take exactly the limit.
    bytes: `HTTP/1.1 200 OK\r\nContent-Length: 1\r\n${headersTaking(HEADER_LIMIT, 15)}\r\n!`,
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nX-Fill-000: vvv',
    ends: '\r\n\r\n!',
  },
  'headers-over-the-limit': {
    bytes: `HTTP/1.1 200 OK\r\nContent-Length: 1\r\n${headersTaking(HEADER_LIMIT + 1, 15)}\r\n!`,
    status: 0,
    success: false,
    starts: '',
    error: /^response headers over the 64 KiB limit/,
  },
  'reason-okey-dokey': {
    bytes: 'HTTP/1.1 200 Okey dokey\r\nContent-Length: 2\r\n\r\nok',
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 Okey dokey\r\nContent-Length: 2\r\n\r\nok',
  },
  'reason-empty': {
    bytes: 'HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok',
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok',
  },
  'reason-missing': {
    bytes: 'HTTP/1.1 201\r\nContent-Length: 2\r\n\r\nok',
    status: 201,
    success: true,
    starts: 'HTTP/1.1 201\r\nContent-Length: 2\r\n\r\nok',
  },
  'reason-for-another-status': {
    bytes: 'HTTP/1.1 200 Not Found\r\nContent-Length: 2\r\n\r\nok',
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 Not Found\r\n',
    ends: '\r\n\r\nok',
  },
  'header-case-mixed': {
    bytes:
      'HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 5\r\ncontent-type: text/plain\r\nX-MiXeD-CaSe: Yes\r\n' +
      'transfer-ENCODING-not: x\r\nconnection: KEEP-ALIVE\r\n\r\nmixed',
    status: 200,
    success: true,
    starts:
      'HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 5\r\ncontent-type: text/plain\r\nX-MiXeD-CaSe: Yes\r\n' +
      'transfer-ENCODING-not: x\r\nconnection: KEEP-ALIVE\r\n\r\nmixed',
  },
  'chunked-header-case': {
    bytes: 'HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\nok',
  },
  'nginx-style': {
    bytes:
      'HTTP/1.1 200 OK\r\nServer: nginx/1.25.3\r\nDate: Mon, 07 Dec 2026 12:00:00 GMT\r\n' +
      'Content-Type: application/json\r\nContent-Length: 11\r\nConnection: keep-alive\r\n\r\n' +
      '{"ok":true}',
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nServer: nginx/1.25.3\r\n',
    ends: '\r\n\r\n{"ok":true}',
  },
  'go-style-empty-200': {
    bytes: 'HTTP/1.1 200 OK\r\nDate: Mon, 07 Dec 2026 12:00:00 GMT\r\nContent-Length: 0\r\n\r\n',
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nDate: Mon, 07 Dec 2026 12:00:00 GMT\r\nContent-Length: 0\r\n\r\n',
  },
  'content-length-and-chunked': {
    // Node's server sends both when an app sets both: chunked frames the body.
    bytes:
      'HTTP/1.1 200 OK\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\nhello',
  },
  'transfer-encoding-not-chunked-close-delimited': {
    bytes: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\nread until the close',
    close: true,
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\nread until the close',
  },
  '205-content-length-with-body': {
    bytes: 'HTTP/1.1 205 Reset Content\r\nContent-Length: 2\r\n\r\nok',
    status: 205,
    success: true,
    starts: 'HTTP/1.1 205 Reset Content\r\nContent-Length: 2\r\n\r\nok',
  },
  'http-1.0-keep-alive': {
    bytes: 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok',
    status: 200,
    success: true,
    starts: 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok',
  },
  'http-1.0-bare-lf': {
    bytes: 'HTTP/1.0 200 OK\nContent-Type: text/plain\n\nlines end in LF',
    close: true,
    status: 200,
    success: true,
    starts: 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nlines end in LF',
  },
  '102-processing-then-200': {
    bytes: `HTTP/1.1 102 Processing\r\n\r\n${OK}`,
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  },
  'reason-split-across-segments': {
    bytes: ['HTTP/1.1 200 Okey ', 'do', 'key\r\nContent-Length: 2\r\n\r\nok'],
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 Okey dokey\r\nContent-Length: 2\r\n\r\nok',
  },
  'reason-latin1': {
    // What Node's server writes for res.writeHead(200, 'Très bien').
    bytes: Buffer.from('HTTP/1.1 200 Tr\u00e8s bien\r\nContent-Length: 2\r\n\r\nok', 'latin1'),
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 Très bien\r\nContent-Length: 2\r\n\r\nok',
  },
  'reason-utf8': {
    bytes: 'HTTP/1.1 200 Très bien ✓\r\nContent-Length: 2\r\n\r\nok',
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 Très bien ✓\r\nContent-Length: 2\r\n\r\nok',
  },
  'header-values-utf8-and-latin1': {
    // Node's server writes header values as UTF-8; older servers, Latin-1.
    bytes: [
      'HTTP/1.1 200 OK\r\nX-Utf8: café ✓\r\n',
      Buffer.from('X-Latin1: caf\u00e9\r\nContent-Length: 2\r\n\r\nok', 'latin1'),
    ],
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nX-Utf8: café ✓\r\nX-Latin1: café\r\nContent-Length: 2\r\n\r\nok',
  },
  '999-status-node-allows': {
    bytes: 'HTTP/1.1 999 Custom\r\nContent-Length: 2\r\n\r\nok',
    status: 999,
    success: false,
    starts: 'HTTP/1.1 999 Custom\r\nContent-Length: 2\r\n\r\nok',
  },
  'empty-header-values': {
    bytes: 'HTTP/1.1 200 OK\r\nX-Empty:\r\nX_Under_Score: \r\nContent-Length: 2\r\n\r\nok',
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nX-Empty: \r\nX_Under_Score: \r\nContent-Length: 2\r\n\r\nok',
  },
  'duplicate-content-length': {
    // Node's server sends this for `res.setHeader('Content-Length', ['2', '2'])`: repeated
    // identical values are one (RFC 9110 §8.6), and the raw response keeps both fields.
    bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok',
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok',
  },
  'duplicate-content-length-list': {
    bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nX-After: 1\r\nContent-Length: 2\r\n\r\nok',
    status: 200,
    success: true,
    starts: 'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nX-After: 1\r\nContent-Length: 2\r\n\r\nok',
  },
  'duplicate-content-length-split-across-reads': {
    bytes: ['HTTP/1.1 201 Created\r\nContent-Length: 2\r\nContent-Len', 'gth: 2\r', '\n\r', '\nok'],
    status: 201,
    success: true,
    starts: 'HTTP/1.1 201 Created\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok',
  },
  'duplicate-content-length-after-continue': {
    bytes:
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok',
    status: 202,
    success: true,
    starts: 'HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok',
  },
  'differing-content-lengths': {
    // Which one frames the body is not known: refused (a request smuggling vector).
    bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!',
    status: 0,
    success: false,
    starts: '',
    error: /Duplicate Content-Length/,
  },
  'differing-content-lengths-in-a-list': {
    bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok!',
    status: 0,
    success: false,
    starts: '',
    error: /Content-Length/,
  },
  'content-length-not-a-number': {
    bytes: 'HTTP/1.1 200 OK\r\nContent-Length: two\r\n\r\nok',
    status: 0,
    success: false,
    starts: '',
    error: /Content-Length/,
  },
  'not-http': {
    bytes: 'SSH-2.0-OpenSSH_9.6\r\n',
    close: true,
    status: 0,
    success: false,
    starts: '',
    error: /HTTP/,
  },
};

describe('worker: responses as real servers send them (SPEC §4)', () => {
  const f = DispatcherFixture.use();
  let raw: RawHttpServer;

  beforeEach(async () => {
    raw = await RawHttpServer.start(CASES);
  });
  afterEach(() => raw.close());

  /** The delivery once it has left `pending` (succeeded or failed). */
  const finished = (id: string): Promise<Delivery> =>
    eventually(
      async () => {
        const d = await f.deliveries.findById(PLATFORM_SCOPE, id);
        return d && d.status !== 'pending' ? d : undefined;
      },
      30_000,
      `delivery ${id} to finish`,
    );

  it('records each answer with its real status, version and outcome after one attempt', async () => {
    await f.start();
    const sent: [string, Case, Delivery][] = [];
    for (const [name, c] of Object.entries(CASES)) {
      const webhook = await f.hook({
        name,
        url: `${raw.url}/${name}`,
        validStatusCodes: [200, 201, 202, 204, 205],
        // A success takes one attempt; a 2xx wrongly failed would be tried again.
        maxDeliveryAttempts: c.success ? 3 : 1,
        retryMinBackoff: 1,
        retryMaxBackoff: 1,
      });
      sent.push([name, c, await f.deliver(webhook.id)]);
    }
    const seen: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    for (const [name, c, delivery] of sent) {
      const done = await finished(delivery.id);
      const attempts: AttemptRow[] = await f.attemptsOf(delivery.id);
      const [attempt] = attempts;
      seen[name] = {
        status: done.status,
        attempts: attempts.length,
        response_status_code: attempt.response_status_code,
        success: attempt.success,
        error: attempt.error,
        starts: attempt.raw_response.slice(0, c.starts.length),
        ends: attempt.raw_response.endsWith(c.ends ?? c.starts),
      };
      expected[name] = {
        status: c.success ? 'succeeded' : 'failed',
        attempts: 1,
        response_status_code: c.status,
        success: c.success,
        error: c.error ? expect.stringMatching(c.error) : '',
        starts: c.starts,
        ends: true,
      };
    }
    expect(seen).toEqual(expected);
  });

  it("takes Node's own server at its word: each of these answers succeeds after one attempt", async () => {
    // What `node:http` sends for each: the cases (a 204 or 304 that keeps its
    // Content-Length, a 100 Continue before the answer, a 20 KB cookie), other 1xx,
    // trailers, both Content-Length and chunked, a reason phrase in Latin-1.
    const answers: Record<string, (res: ServerResponse) => void> = {
      '/204': (res) => res.writeHead(204, { 'Content-Length': 2 }).end('ok'),
      '/304': (res) => res.writeHead(304, { 'Content-Length': 2, ETag: '"v1"' }).end('ok'),
      '/continue': (res) => {
        res.writeContinue();
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('after continue');
      },
      '/early-hints': (res) => {
        res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
        res.writeHead(202).end('accepted');
      },
      '/cookie': (res) =>
        res.writeHead(200, { 'Set-Cookie': `session=${'c'.repeat(20 * 1024)}` }).end('ok'),
      '/processing': (res) => {
        res.writeProcessing();
        res.writeHead(200).end('ok');
      },
      '/trailers': (res) => {
        res.writeHead(200, { Trailer: 'X-Checksum' });
        res.write('ab');
        res.addTrailers({ 'X-Checksum': '1' });
        res.end();
      },
      '/length-and-chunked': (res) => {
        res.setHeader('Content-Length', 50);
        res.setHeader('Transfer-Encoding', 'chunked');
        res.end('hello');
      },
      '/latin1-reason': (res) => res.writeHead(200, 'Très bien').end('ok'),
      '/content-length-twice': (res) => {
        res.setHeader('Content-Length', ['2', '2']);
        res.end('ok');
      },
    };
    f.receiver.respond = (req, res) => answers[req.url](res);
    await f.start();
    const sent: [string, Delivery][] = [];
    for (const path of Object.keys(answers)) {
      const webhook = await f.hook({
        url: `${f.receiver.url}${path}`,
        validStatusCodes: [200, 202, 204, 304],
        maxDeliveryAttempts: 3,
        retryMinBackoff: 1,
        retryMaxBackoff: 1,
      });
      sent.push([path, await f.deliver(webhook.id)]);
    }
    const seen: Record<string, unknown> = {};
    for (const [path, delivery] of sent) {
      const done = await finished(delivery.id);
      const attempts = await f.attemptsOf(delivery.id);
      seen[path] = {
        status: done.status,
        attempts: attempts.length,
        outcomes: attempts.map((a) => [a.response_status_code, a.success, a.error]),
        statusLine: attempts[0].raw_response.split('\r\n')[0],
      };
    }
    const succeeded = (code: number, reason: string): unknown => ({
      status: 'succeeded',
      attempts: 1,
      outcomes: [[code, true, '']],
      statusLine: `HTTP/1.1 ${code} ${reason}`,
    });
    expect(seen).toEqual({
      '/204': succeeded(204, 'No Content'),
      '/304': succeeded(304, 'Not Modified'),
      '/continue': succeeded(200, 'OK'),
      '/early-hints': succeeded(202, 'Accepted'),
      '/cookie': succeeded(200, 'OK'),
      '/processing': succeeded(200, 'OK'),
      '/trailers': succeeded(200, 'OK'),
      '/length-and-chunked': succeeded(200, 'OK'),
      '/latin1-reason': succeeded(200, 'Très bien'),
      '/content-length-twice': succeeded(200, 'OK'),
    });
    expect(f.receiver.requests).toHaveLength(Object.keys(answers).length);
  });

  it('keeps one connection through interim answers, a reason split across reads and a repeated Content-Length', async () => {
    const keep = 'Keep-Alive: timeout=600\r\n'; // so a slow machine keeps it too
    const kept = await RawHttpServer.start({
      continue: {
        bytes: `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n${keep}Content-Length: 1\r\n\r\na`,
      },
      hints: {
        bytes: `HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 201 Created\r\n${keep}Content-Length: 1\r\n\r\nb`,
      },
      split: { bytes: ['HTTP/1.1 202 Acc', `epted\r\n${keep}Content-Length: 1\r\n\r\nc`] },
      twice: {
        bytes: [`HTTP/1.1 200 OK\r\n${keep}Content-Length: 1\r\nContent-Le`, 'ngth: 1\r\n\r\nd'],
      },
    });
    try {
      await f.start();
      const seen: [string, string, string][] = [];
      for (const name of ['continue', 'hints', 'split', 'twice', 'twice', 'continue']) {
        const webhook = await f.hook({
          url: `${kept.url}/${name}`,
          validStatusCodes: [200, 201, 202],
          maxDeliveryAttempts: 1,
        });
        const delivery = await f.deliver(webhook.id);
        const done = await finished(delivery.id);
        const [attempt] = await f.attemptsOf(delivery.id);
        const [statusLine] = attempt.raw_response.split('\r\n');
        seen.push([done.status, statusLine, attempt.raw_response.slice(-1)]);
      }
      expect(seen).toEqual([
        ['succeeded', 'HTTP/1.1 200 OK', 'a'],
        ['succeeded', 'HTTP/1.1 201 Created', 'b'],
        ['succeeded', 'HTTP/1.1 202 Accepted', 'c'],
        ['succeeded', 'HTTP/1.1 200 OK', 'd'],
        ['succeeded', 'HTTP/1.1 200 OK', 'd'],
        ['succeeded', 'HTTP/1.1 200 OK', 'a'],
      ]);
      expect(kept.connections).toBe(1);
    } finally {
      await kept.close();
    }
  });
});
