import * as http from 'node:http';
import { createWebhook, startStack, type Stack } from '../helpers/system';
import { quietFor } from '../helpers/wait';

const MiB = 1024 * 1024;

interface Streamed {
  status: number;
  /** Items in the page (each checked as it streamed past). */
  itemCount: number;
  tail: string;
  peakRssMb: number;
}

/**
 * Reads a list response as a stream, one item at a time (the test must not hold the
 * whole answer either: 150 payloads of 1 MiB of "\u0001" are 900 MB of JSON), while
 * sampling the server's resident size. `check` sees each item, which is then dropped.
 */
function streamList(
  stack: Stack,
  path: string,
  key: string,
  check: (item: Record<string, unknown>) => void,
): Promise<Streamed> {
  const { hostname, port } = new URL(stack.server.apiUrl);
  return new Promise((resolve, reject) => {
    let peakRssMb = 0;
    const sampler = setInterval(() => {
      peakRssMb = Math.max(peakRssMb, stack.server.rssMb());
    }, 5);
    const req = http.get({ hostname, port, path }, (res) => {
      const head = `{"${key}":[`;
      const separator = '},{"id":"';
      // The current item's text in pieces (never one growing string: searching that would
      // copy it again with every chunk), and the end of the last piece, where a separator
      // may begin that the next chunk completes.
      let parts: string[] = [];
      let carry = '';
      let count = 0;
      let prefix = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (prefix.length < head.length) {
          prefix += chunk;
          if (prefix.length < head.length) return;
          if (!prefix.startsWith(head)) reject(new Error(`unexpected: ${prefix.slice(0, 100)}`));
          chunk = prefix.slice(head.length);
        }
        let window = carry + chunk;
        let known = carry.length; // the start of `window` that `parts` already holds
        // An unescaped quote cannot occur inside a JSON string: the separator is a boundary.
        for (let at = window.indexOf(separator); at >= 0; at = window.indexOf(separator)) {
          const before = parts.join('');
          const text = before.slice(0, before.length - known) + window.slice(0, at + 1);
          check(JSON.parse(text) as Record<string, unknown>);
          count++;
          window = `{"id":"${window.slice(at + separator.length)}`;
          parts = [];
          known = 0;
        }
        parts.push(window.slice(known));
        carry = window.slice(-(separator.length - 1));
      });
      res.on('end', () => {
        clearInterval(sampler);
        const text = parts.join('');
        const end = text.lastIndexOf(']');
        let itemCount = 0;
        if (end > 0) {
          const last = JSON.parse(text.slice(0, end)) as Record<string, unknown>;
          check(last);
          itemCount = count + 1;
        }
        resolve({ status: res.statusCode ?? 0, itemCount, tail: text.slice(end), peakRssMb });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/**
 * Pages of 1 MiB payloads and attempts, as the API answers them to a client that reads
 * them at full speed: a 200 with every item, and the server's resident size bounded
 * whatever the page holds. Before bodies were streamed, the first page took the API to
 * 1.4 GB and the second was a 500 ("Invalid string length"). Now a first large page grows
 * it by 50-110 MB, later ones by 10-20 MB: V8 frees dead buffers only after some 64 MB of
 * them, so the bound checked is that plus headroom, not a page's size (315-900 MB here).
 */
const MAX_GROWTH_MB = 128;
describe('system: large list pages keep the API within bounded memory', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ worker: false });
  });
  afterAll(() => stack.stop());

  async function fill(
    payloadSql: string,
    count: number,
  ): Promise<{ webhookId: string; deliveryId: string }> {
    const webhookId = await createWebhook(stack.server.apiUrl, 'http://127.0.0.1:9/', {
      active: false,
    });
    const rows = await stack.db.dataSource.query<{ id: string }[]>(
      `INSERT INTO deliveries (id, webhook_id, payload)
       SELECT gen_random_uuid(), $1, ${payloadSql} FROM generate_series(1, $2) RETURNING id`,
      [webhookId, count],
    );
    return { webhookId, deliveryId: rows[0].id };
  }

  /** The server's resident size once it has served a small page and settled. */
  async function idleRssMb(): Promise<number> {
    await fetch(`${stack.server.apiUrl}/v1/deliveries?limit=1`).then((r) => r.text());
    await quietFor(300, 'no more requests while the server settles');
    return stack.server.rssMb();
  }

  it.each([
    ['300 payloads of 1 MiB of text', `repeat('x', ${MiB})`, 300, 'x'],
    [
      '150 payloads of 1 MiB of "\\u0001" (6 MiB each as JSON)',
      `repeat(chr(1), ${MiB})`,
      150,
      '\u0001',
    ],
  ])('GET /v1/deliveries?limit=1000 with %s', async (_what, payloadSql, count, char) => {
    const { webhookId } = await fill(payloadSql, count);
    const idle = await idleRssMb();
    const expected = char.repeat(MiB);
    const page = await streamList(
      stack,
      `/v1/deliveries?limit=1000&webhook_id=${webhookId}`,
      'deliveries',
      (item) => {
        if (item.payload !== expected) throw new Error(`payload of ${String(item.id)} differs`);
      },
    );
    expect(page.status).toBe(200);
    expect(page.itemCount).toBe(count);
    expect(page.tail).toBe('],"limit":1000,"offset":0,"next_cursor":null}');
    expect(page.peakRssMb - idle).toBeLessThanOrEqual(MAX_GROWTH_MB);
  });

  it('GET /v1/delivery-attempts?limit=1000 with 150 raw exchanges of 1 MiB of "\\u0001"', async () => {
    const { webhookId, deliveryId } = await fill(`'{}'`, 1);
    await stack.db.dataSource.query(
      `INSERT INTO delivery_attempts (id, webhook_id, delivery_id, raw_request, raw_response,
                                      response_status_code, execution_duration, success)
       SELECT gen_random_uuid(), $1, $2, repeat(chr(1), ${MiB}), repeat(chr(1), 65536), 500, 1, false
       FROM generate_series(1, 150)`,
      [webhookId, deliveryId],
    );
    const idle = await idleRssMb();
    const page = await streamList(
      stack,
      `/v1/delivery-attempts?limit=1000&delivery_id=${deliveryId}`,
      'delivery_attempts',
      (item) => {
        if ((item.raw_request as string).length !== MiB) throw new Error('raw_request differs');
      },
    );
    expect(page.status).toBe(200);
    expect(page.itemCount).toBe(150);
    expect(page.peakRssMb - idle).toBeLessThanOrEqual(MAX_GROWTH_MB);
  });
});
