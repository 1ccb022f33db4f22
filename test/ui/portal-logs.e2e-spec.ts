import type { Frame, Page } from 'playwright-core';
import { openBrowser, step, type Browser } from '../support/browser';
import { startEmbedder, type Embedder } from '../support/embedder';
import { call, createDeliveries, createWebhook, startStack, type Stack } from '../helpers/system';
import { eventually, until } from '../helpers/wait';

/** What the failing endpoint answers: markup that must stay text. */
const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
const PAGE = 20;

/**
 * The customer portal's logs (SPEC §13) in Debian's Chromium, framed by another site,
 * against the real `postmand server` and `postmand worker` delivering to a real receiver:
 * the tenant's deliveries and no other tenant's, in keyset pages, filtered by endpoint and
 * status; a hostile response body shown as inert text; redeliver; recover what failed
 * after the dry run's count; a read-only session without either; a phone-sized screen.
 */
describe('the customer portal’s logs', () => {
  let stack: Stack;
  let allowed: Embedder;
  let browser: Browser;
  let page: Page;
  let flakyFails = true;
  let good = '';
  let flaky = '';
  let goodIds: string[] = [];
  let flakyIds: string[] = [];
  let theirIds: string[] = [];

  const api = (method: string, path: string, body?: unknown) =>
    call(stack.server.apiUrl, method, path, body, 60_000);
  const listed = async (query: string): Promise<{ id: string; status: string }[]> => {
    const res = await api('GET', `/v1/deliveries?limit=1000&${query}`);
    expect(res.status).toBe(200);
    return res.body.deliveries;
  };
  const portalFrame = (): Promise<Frame> =>
    eventually(
      () => page.frames().find((f) => f !== page.mainFrame()),
      30_000,
      'the portal’s frame',
    );
  const rowIds = (frame: Frame): Promise<string[]> =>
    frame.evaluate<string[]>(
      "[...document.querySelectorAll('tr[data-delivery-row]')].map((r) => r.dataset.deliveryRow)",
    );
  /** Waits until the list's rows are exactly `expected`, in that order. */
  const rowsAre = (frame: Frame, expected: string[], what: string) =>
    until(
      async () => JSON.stringify(await rowIds(frame)) === JSON.stringify(expected),
      60_000,
      what,
    );
  const headingFocused = (frame: Frame, name: string) =>
    until(
      async () =>
        (await frame.evaluate<string>(
          "document.activeElement?.id === 'page-title' ? document.activeElement.textContent : ''",
        )) === name,
      30_000,
      `focus on the heading “${name}”`,
    );
  const openPortal = async (readOnly = false): Promise<Frame> => {
    const session = await api('POST', '/v1/tenants/acme/portal-sessions', { read_only: readOnly });
    expect(session.status).toBe(201);
    allowed.frameSrc = session.body.url;
    await page.goto(`${allowed.origin}/`);
    const frame = await portalFrame();
    await frame.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
    return frame;
  };
  const toDeliveries = async (frame: Frame) => {
    await frame.getByRole('button', { name: 'Deliveries', exact: true }).click();
    await frame.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
  };

  beforeAll(async () => {
    allowed = await startEmbedder('localhost');
    stack = await startStack({
      env: { POSTMAND_PORTAL_FRAME_ANCESTORS: allowed.origin },
      // A tenant's webhooks reach public addresses only (§16), but for the test's receiver.
      worker: { POSTMAND_POLLING_INTERVAL: '200', POSTMAND_ALLOWED_NETWORKS: '127.0.0.1/32' },
    });
    stack.receiver.respond = (req, res) => {
      if (req.url === '/flaky' && flakyFails) {
        res.writeHead(500, { 'Content-Type': 'text/html' }).end(HOSTILE);
      } else {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('thanks');
      }
    };
    for (const [id, name] of [
      ['acme', 'Acme Corp'],
      ['globex', 'Globex'],
    ]) {
      expect((await api('PUT', `/v1/tenants/${id}`, { name })).status).toBe(201);
    }
    const base = stack.receiver.url;
    good = await createWebhook(stack.server.apiUrl, `${base}/good`, {
      name: 'acme orders',
      tenant_id: 'acme',
    });
    // One attempt only: a failure is final at once.
    flaky = await createWebhook(stack.server.apiUrl, `${base}/flaky`, {
      name: 'acme billing',
      tenant_id: 'acme',
      max_delivery_attempts: 1,
    });
    const theirs = await createWebhook(stack.server.apiUrl, `${base}/globex`, {
      name: 'globex secret',
      tenant_id: 'globex',
    });
    // More than a page of the portal's (20): 22 that succeed, then 3 that fail.
    goodIds = await createDeliveries(stack.server.apiUrl, good, PAGE + 2);
    flakyIds = await createDeliveries(stack.server.apiUrl, flaky, 3);
    theirIds = await createDeliveries(stack.server.apiUrl, theirs, 2);
    await until(
      async () =>
        (await listed('tenant_id=acme')).every((d) => d.status !== 'pending') &&
        (await listed('status=failed')).length === 3,
      120_000,
      'the acme deliveries to finish',
    );
    browser = await openBrowser();
    page = browser.page;
    page.setDefaultTimeout(60_000);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await allowed?.close();
  });

  it('lists the tenant’s deliveries newest first in keyset pages, and no other tenant’s', async () => {
    await step(page, 'portal-logs-list', async () => {
      const frame = await openPortal();
      // By the keyboard: the nav bar's Deliveries, and focus on the new view's heading.
      const nav = frame.getByRole('button', { name: 'Deliveries', exact: true });
      await nav.focus();
      await page.keyboard.press('Enter');
      await headingFocused(frame, 'Deliveries');
      await expect(nav.getAttribute('aria-current')).resolves.toBe('page');
      await expect(
        frame.getByRole('button', { name: 'Endpoints', exact: true }).getAttribute('aria-current'),
      ).resolves.toBeNull();

      const newestFirst = (await listed('tenant_id=acme')).map((d) => d.id);
      expect(new Set(newestFirst)).toEqual(new Set([...goodIds, ...flakyIds]));
      await rowsAre(frame, newestFirst.slice(0, PAGE), 'the first page');
      const first = frame.locator(`tr[data-delivery-row="${flakyIds[0]}"]`);
      await expect(first.textContent()).resolves.toContain('acme billing');
      await expect(first.locator('[data-status]').textContent()).resolves.toContain('Failed');
      await frame.getByRole('button', { name: 'Next page →' }).click();
      await rowsAre(frame, newestFirst.slice(PAGE), 'the second page');
      await frame.getByText('End of the list').waitFor();
      await frame.getByRole('button', { name: '← First page' }).click();
      await rowsAre(frame, newestFirst.slice(0, PAGE), 'the first page again');

      const text = (await frame.locator('main').textContent()) ?? '';
      expect(text).not.toContain('globex');
      for (const id of theirIds) {
        expect(await frame.locator(`[data-delivery-row="${id}"]`).count()).toBe(0);
      }
      expect(browser.problems).toEqual([]);
    });
  });

  it('filters by endpoint and by status', async () => {
    await step(page, 'portal-logs-filters', async () => {
      const frame = await portalFrame();
      const newestFlaky = (await listed(`webhook_id=${flaky}`)).map((d) => d.id);
      await frame.locator('#f-endpoint').selectOption(flaky);
      await frame.getByRole('button', { name: 'Apply' }).click();
      await rowsAre(frame, newestFlaky, 'the failing endpoint’s deliveries');

      await frame.locator('#f-endpoint').selectOption('');
      await frame.locator('#f-status').selectOption('succeeded');
      await frame.getByRole('button', { name: 'Apply' }).click();
      const succeeded = (await listed('tenant_id=acme&status=succeeded')).map((d) => d.id);
      expect(succeeded).toHaveLength(PAGE + 2);
      await rowsAre(frame, succeeded.slice(0, PAGE), 'the succeeded deliveries');

      await frame.locator('#f-status').selectOption('failed');
      await frame.getByRole('button', { name: 'Apply' }).click();
      await rowsAre(frame, newestFlaky, 'the failed deliveries');
      expect(browser.problems).toEqual([]);
    });
  });

  it('shows a hostile response body as inert text', async () => {
    await step(page, 'portal-logs-hostile', async () => {
      const frame = await portalFrame();
      const open = frame.locator(`tr[data-delivery-row="${flakyIds[0]}"] button`);
      await open.focus();
      await page.keyboard.press('Enter');
      const title = `Delivery ${flakyIds[0].slice(0, 8)}`;
      await headingFocused(frame, title);
      await frame.locator('[data-delivery-status="failed"]').waitFor();
      await frame.locator('.timeline summary').first().click();
      const response = frame.locator('figure.raw').filter({ hasText: 'Response' }).locator('pre');
      const body = (await response.textContent()) ?? '';
      expect(body).toMatch(/^HTTP\/1\.1 500/);
      expect(body).toContain(HOSTILE);
      await expect(frame.locator('img, main script').count()).resolves.toBe(0);
      expect(await frame.evaluate('window.__pwned')).toBeUndefined();
      expect(browser.problems).toEqual([]);
    });
  });

  it('redelivers one delivery and shows the copy succeed', async () => {
    await step(page, 'portal-logs-redeliver', async () => {
      const frame = await portalFrame();
      await frame.getByRole('button', { name: '← Deliveries' }).click();
      await frame.locator('#f-status').selectOption('succeeded');
      await frame.getByRole('button', { name: 'Apply' }).click();
      const newestGood = (await listed(`webhook_id=${good}`))[0].id;
      await frame.locator(`tr[data-delivery-row="${newestGood}"] button`).click();
      await frame.getByRole('heading', { name: `Delivery ${newestGood.slice(0, 8)}` }).waitFor();
      await frame.getByRole('button', { name: 'Redeliver' }).click();
      const copy = await eventually(
        async () => (await listed(`webhook_id=${good}`)).find((d) => !goodIds.includes(d.id)),
        60_000,
        'the copy',
      );
      await headingFocused(frame, `Delivery ${copy.id.slice(0, 8)}`);
      // The view looks again by itself while the copy is pending.
      await frame.locator('[data-delivery-status="succeeded"]').waitFor();
      const sent = stack.receiver.requests.filter((r) => r.headers['webhook-id'] === copy.id);
      expect(sent.map((r) => r.url)).toEqual(['/good']);
      expect(browser.problems).toEqual([]);
    });
  });

  it('recovers the failed deliveries after the dry run’s count', async () => {
    await step(page, 'portal-logs-recover', async () => {
      const frame = await portalFrame();
      flakyFails = false;
      await toDeliveries(frame);
      await frame.getByRole('button', { name: 'Recover failed deliveries…' }).click();
      const panel = frame.getByRole('region', { name: 'Recover failed deliveries' });
      await panel.locator('#r-endpoint').selectOption(flaky);
      await panel.getByRole('button', { name: 'Count' }).click();
      const counted = panel.locator('[data-recover-count]');
      await expect(counted.getAttribute('data-recover-count')).resolves.toBe('3');
      await expect(counted.textContent()).resolves.toMatch(
        /^3 failed deliveries since .+ will be sent again\.$/,
      );
      // Nothing is sent by the count alone.
      expect((await listed(`webhook_id=${flaky}`)).length).toBe(3);
      await panel.getByRole('button', { name: 'Send 3 again' }).click();
      await panel.locator('[data-recovered="3"]').waitFor();
      await until(
        async () =>
          (await listed(`webhook_id=${flaky}&status=succeeded`)).length === 3 &&
          (await listed(`webhook_id=${flaky}&status=failed`)).length === 3,
        60_000,
        'the recovered deliveries to succeed',
      );
      const recovered = stack.receiver.requests.filter(
        (r) => r.url === '/flaky' && !flakyIds.includes(String(r.headers['webhook-id'])),
      );
      expect(recovered).toHaveLength(3);
      expect(browser.problems).toEqual([]);
    });
  });

  it('shows a read-only session no Redeliver and no Recover', async () => {
    await step(page, 'portal-logs-read-only', async () => {
      const frame = await openPortal(true);
      await frame.locator('.portal-badge').filter({ hasText: 'Read-only' }).waitFor();
      await toDeliveries(frame);
      await frame.locator(`tr[data-delivery-row="${flakyIds[0]}"]`).waitFor();
      const writes = frame.getByRole('button', { name: /Recover|Redeliver|Send/ });
      await expect(writes.count()).resolves.toBe(0);
      await frame.locator(`tr[data-delivery-row="${flakyIds[0]}"] button`).click();
      await frame.locator('[data-delivery-status="failed"]').waitFor();
      await frame.locator('.timeline summary').first().waitFor();
      await expect(writes.count()).resolves.toBe(0);
      expect(browser.problems).toEqual([]);
    });
  });

  it('fits a phone’s width on both views, light and dark', async () => {
    await step(page, 'portal-logs-phone', async () => {
      const session = await api('POST', '/v1/tenants/acme/portal-sessions', {});
      await page.setViewportSize({ width: 390, height: 800 });
      const fits = async () =>
        expect(
          await page.evaluate<boolean>(
            'document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth',
          ),
        ).toBe(true);
      // The portal opened on its own, as a new tab would: the frame is the embedder's width.
      await page.goto(session.body.url);
      await page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
      const background = () =>
        page.evaluate<string>(
          "getComputedStyle(document.querySelector('.portal-nav')).backgroundColor",
        );
      await page.emulateMedia({ colorScheme: 'light' });
      const light = await background();
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        await page.getByRole('button', { name: 'Deliveries', exact: true }).click();
        await page.locator(`tr[data-delivery-row="${flakyIds[0]}"]`).waitFor();
        await page.getByRole('button', { name: 'Recover failed deliveries…' }).click();
        await page.locator('#r-since').waitFor();
        await fits();
        await page.locator(`tr[data-delivery-row="${flakyIds[0]}"] button`).click();
        await page.locator('.timeline summary').first().click();
        await page.locator('figure.raw pre').nth(2).waitFor();
        await fits();
      }
      // The two schemes differ: the page follows the system's.
      expect(await background()).not.toBe(light);
      expect(browser.problems).toEqual([]);
    });
  });
});
