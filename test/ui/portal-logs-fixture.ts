import type { Frame, Page } from 'playwright-core';
import { openBrowser, type Browser } from '../support/browser';
import { startEmbedder, type Embedder } from '../support/embedder';
import { call, createDeliveries, createWebhook, startStack, type Stack } from '../helpers/system';
import { eventually, until } from '../helpers/wait';

/**
 * What the failing endpoint answers: markup that must stay text, an escape sequence, and
 * a right-to-left override and isolate that would reorder what follows them.
 */
export const HOSTILE =
  '\u001b[2J<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>' +
  '\u202etxt.exe\u2066!\u2069';
/** The portal's page of deliveries. */
export const PAGE = 20;
/** The event type two of acme's events are published with. */
export const INVOICE = 'invoice.paid';

/**
 * The portal's logs' world, for a browser test file: the real `postmand server` and
 * `postmand worker`, a receiver, another site that frames the portal, and Chromium. Tenant
 * acme has "acme orders" (/good: 22 deliveries that succeed), "acme billing" (/flaky, one
 * attempt: 3 that fail while `flakyFails`) and "acme invoices" (/good, `invoice.*`: two
 * events' deliveries); globex has 2 deliveries of its own. Replies wait while `hold` is
 * set. Each test opens its own view with `openPortal`.
 */
export function portalLogsFixture(options: { timezoneId?: string } = {}) {
  const f = {
    stack: undefined as unknown as Stack,
    browser: undefined as unknown as Browser,
    page: undefined as unknown as Page,
    allowed: undefined as unknown as Embedder,
    flakyFails: true,
    hold: undefined as Promise<void> | undefined,
    good: '',
    flaky: '',
    invoices: '',
    goodIds: [] as string[],
    flakyIds: [] as string[],
    invoiceIds: [] as string[],
    theirIds: [] as string[],

    api: (method: string, path: string, body?: unknown) =>
      call(f.stack.server.apiUrl, method, path, body, 60_000),
    /** The API's list (newest first) for `query`. */
    listed: async (query: string): Promise<{ id: string; status: string }[]> => {
      const res = await f.api('GET', `/v1/deliveries?limit=1000&${query}`);
      expect(res.status).toBe(200);
      return res.body.deliveries;
    },
    /** A new session's portal, framed by the other site, on its first view. */
    openPortal: async (readOnly = false): Promise<Frame> => {
      const session = await f.api('POST', '/v1/tenants/acme/portal-sessions', {
        read_only: readOnly,
      });
      expect(session.status).toBe(201);
      f.allowed.frameSrc = session.body.url;
      await f.page.goto(`${f.allowed.origin}/`);
      const frame = await eventually(
        () => f.page.frames().find((x) => x !== f.page.mainFrame()),
        30_000,
        'the portal’s frame',
      );
      await frame.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
      return frame;
    },
    toDeliveries: async (frame: Frame) => {
      await frame.getByRole('button', { name: 'Deliveries', exact: true }).click();
      await frame.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
    },
    rowIds: (frame: Frame): Promise<string[]> =>
      frame.evaluate<string[]>(
        "[...document.querySelectorAll('tr[data-delivery-row]')].map((r) => r.dataset.deliveryRow)",
      ),
    /** Waits until the list's rows are exactly `expected`, in that order. */
    rowsAre: (frame: Frame, expected: string[], what: string) =>
      until(
        async () => JSON.stringify(await f.rowIds(frame)) === JSON.stringify(expected),
        60_000,
        what,
      ),
    /** Waits until focus is on an element `test` (run in the frame on it) accepts. */
    focusIs: (frame: Frame, test: string, what: string) =>
      until(
        () => frame.evaluate<boolean>(`((el) => !!el && (${test}))(document.activeElement)`),
        30_000,
        `focus on ${what}`,
      ),
    headingFocused: (frame: Frame, name: string) =>
      f.focusIs(
        frame,
        `el.id === 'page-title' && el.textContent === ${JSON.stringify(name)}`,
        `the heading “${name}”`,
      ),
  };

  beforeAll(async () => {
    f.allowed = await startEmbedder('localhost');
    f.stack = await startStack({
      env: { POSTMAND_PORTAL_FRAME_ANCESTORS: f.allowed.origin },
      // A tenant's webhooks reach public addresses only (§16), but for the test's receiver.
      worker: { POSTMAND_POLLING_INTERVAL: '200', POSTMAND_ALLOWED_NETWORKS: '127.0.0.1/32' },
    });
    f.stack.receiver.respond = async (req, res) => {
      await f.hold;
      if (req.url === '/flaky' && f.flakyFails) {
        res.writeHead(500, { 'Content-Type': 'text/html' }).end(HOSTILE);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('thanks');
    };
    for (const [id, name] of [
      ['acme', 'Acme Corp'],
      ['globex', 'Globex'],
    ]) {
      expect((await f.api('PUT', `/v1/tenants/${id}`, { name })).status).toBe(201);
    }
    const { apiUrl } = f.stack.server;
    const base = f.stack.receiver.url;
    const hook = (path: string, name: string, tenant: string, more: object = {}) =>
      createWebhook(apiUrl, `${base}${path}`, { name, tenant_id: tenant, ...more });
    // Neither of these two takes the invoices: they are "acme invoices"' alone.
    f.good = await hook('/good', 'acme orders', 'acme', { event_types: ['order.*'] });
    // One attempt only: a failure is final at once.
    f.flaky = await hook('/flaky', 'acme billing', 'acme', {
      event_types: ['order.*'],
      max_delivery_attempts: 1,
    });
    f.invoices = await hook('/good', 'acme invoices', 'acme', { event_types: ['invoice.*'] });
    const theirs = await hook('/globex', 'globex secret', 'globex');
    // More than a page of the portal's (20): 22 that succeed, then 3 that fail.
    f.goodIds = await createDeliveries(apiUrl, f.good, PAGE + 2);
    f.flakyIds = await createDeliveries(apiUrl, f.flaky, 3);
    f.theirIds = await createDeliveries(apiUrl, theirs, 2);
    for (let n = 0; n < 2; n++) {
      const event = await f.api('POST', '/v1/events', {
        event_type: INVOICE,
        payload: JSON.stringify({ n }),
        tenant_id: 'acme',
      });
      expect(event.status).toBe(201);
    }
    f.invoiceIds = (await f.listed(`webhook_id=${f.invoices}`)).map((d) => d.id);
    expect(f.invoiceIds).toHaveLength(2);
    await until(
      async () =>
        (await f.listed('tenant_id=acme')).every((d) => d.status !== 'pending') &&
        (await f.listed('status=failed')).length === 3,
      120_000,
      'the acme deliveries to finish',
    );
    f.browser = await openBrowser(undefined, { timezoneId: options.timezoneId });
    f.page = f.browser.page;
    f.page.setDefaultTimeout(60_000);
  }, 300_000);
  afterAll(async () => {
    await f.browser?.close();
    await f.stack?.stop();
    await f.allowed?.close();
  });
  return f;
}
