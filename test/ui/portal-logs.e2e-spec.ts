import type { Route } from 'playwright-core';
import { step } from '../support/browser';
import { HOSTILE, INVOICE, PAGE, portalLogsFixture } from './portal-logs-fixture';

/**
 * The customer portal's logs (SPEC §13) in Debian's Chromium, framed by another site,
 * against the real `postmand server` and `postmand worker` delivering to a real receiver:
 * the tenant's deliveries and no other tenant's, in keyset pages, filtered by endpoint,
 * status and event type; a hostile response body shown as inert text; a read-only session
 * without a write control; a phone-sized screen. Writes: portal-logs-writes.e2e-spec.ts.
 */
describe('the customer portal’s logs', () => {
  const f = portalLogsFixture();
  const listCount = (frame: Awaited<ReturnType<typeof f.openPortal>>, n: number) =>
    frame.locator(`[role="status"][data-list-count="${n}"]`).waitFor();

  it('lists the tenant’s deliveries newest first in keyset pages, and no other tenant’s', async () => {
    await step(f.page, 'portal-logs-list', async () => {
      const frame = await f.openPortal();
      // By the keyboard: the nav bar's Deliveries, and focus on the new view's heading.
      const nav = frame.getByRole('button', { name: 'Deliveries', exact: true });
      await nav.focus();
      await f.page.keyboard.press('Enter');
      await f.headingFocused(frame, 'Deliveries');
      await expect(nav.getAttribute('aria-current')).resolves.toBe('page');
      await expect(
        frame.getByRole('button', { name: 'Endpoints', exact: true }).getAttribute('aria-current'),
      ).resolves.toBeNull();

      const newestFirst = (await f.listed('tenant_id=acme')).map((d) => d.id);
      expect(new Set(newestFirst)).toEqual(new Set([...f.goodIds, ...f.flakyIds, ...f.invoiceIds]));
      await f.rowsAre(frame, newestFirst.slice(0, PAGE), 'the first page');
      await listCount(frame, PAGE);
      const first = frame.locator(`tr[data-delivery-row="${f.flakyIds[0]}"]`);
      await expect(first.textContent()).resolves.toContain('acme billing');
      await expect(first.locator('[data-status]').textContent()).resolves.toContain('Failed');
      await frame.getByRole('button', { name: 'Next page →' }).click();
      await f.rowsAre(frame, newestFirst.slice(PAGE), 'the second page');
      await frame.getByText('End of the list').waitFor();
      await frame.getByRole('button', { name: '← First page' }).click();
      await f.rowsAre(frame, newestFirst.slice(0, PAGE), 'the first page again');
      // The rows were exactly acme's on both pages; globex's are not on the page either.
      for (const id of f.theirIds) {
        await expect(frame.locator(`[data-delivery-row="${id}"]`).count()).resolves.toBe(0);
      }
      expect(f.browser.problems).toEqual([]);
    });
  });

  it('filters by endpoint, status and event type; a new filter starts from page 1', async () => {
    await step(f.page, 'portal-logs-filters', async () => {
      const frame = await f.openPortal();
      const before = f.browser.requested.length;
      await f.toDeliveries(frame);
      const apply = frame.getByRole('button', { name: 'Apply' });
      const focusOn = (name: string) =>
        f.focusIs(frame, `el.textContent === '${name}'`, `the button ${name}`);
      const newestFlaky = (await f.listed(`webhook_id=${f.flaky}`)).map((d) => d.id);
      await frame.locator('#f-endpoint').selectOption(f.flaky);
      await apply.focus();
      await f.page.keyboard.press('Enter');
      await f.rowsAre(frame, newestFlaky, 'the failing endpoint’s deliveries');
      await listCount(frame, 3);
      // The form stays: focus stays on Apply, not on the page's body.
      await focusOn('Apply');

      // Succeeded: 22 + 2, so a second page, and a new filter there goes back to page 1.
      await frame.locator('#f-endpoint').selectOption('');
      await frame.locator('#f-status').selectOption('succeeded');
      await apply.click();
      const succeeded = (await f.listed('tenant_id=acme&status=succeeded')).map((d) => d.id);
      expect(succeeded).toHaveLength(PAGE + 4);
      await f.rowsAre(frame, succeeded.slice(0, PAGE), 'the succeeded deliveries');
      await frame.getByRole('button', { name: 'Next page →' }).click();
      await f.rowsAre(frame, succeeded.slice(PAGE), 'the succeeded deliveries’ second page');
      await frame.locator('#f-status').selectOption('failed');
      await apply.click();
      await f.rowsAre(frame, newestFlaky, 'the failed deliveries, from page 1');
      await expect(frame.getByRole('button', { name: '← First page' }).count()).resolves.toBe(0);

      await frame.locator('#f-status').selectOption('');
      await frame.locator('#f-type').fill(INVOICE);
      await apply.click();
      const invoices = (await f.listed(`tenant_id=acme&event_type=${INVOICE}`)).map((d) => d.id);
      expect(new Set(invoices)).toEqual(new Set(f.invoiceIds));
      await f.rowsAre(frame, invoices, 'the invoice deliveries');
      const row = frame.locator(`tr[data-delivery-row="${invoices[0]}"]`);
      await expect(row.textContent()).resolves.toContain('acme invoices');

      // Clear empties the form and lists everything; focus stays on Clear.
      await frame.getByRole('button', { name: 'Clear' }).click();
      const all = (await f.listed('tenant_id=acme')).map((d) => d.id);
      await f.rowsAre(frame, all.slice(0, PAGE), 'every delivery');
      await expect(frame.locator('#f-type').inputValue()).resolves.toBe('');
      await focusOn('Clear');
      // The endpoints to pick from were loaded once for the view, not once per filter.
      const lists = f.browser.requested
        .slice(before)
        .filter((url) => new URL(url).pathname === '/v1/webhooks');
      expect(lists).toHaveLength(1);
      expect(new URL(lists[0]).searchParams.get('limit')).toBe('100');
      expect(f.browser.problems).toEqual([]);
    });
  });

  it('takes an endpoint’s id, with a quiet hint, when the endpoints cannot be listed', async () => {
    await step(f.page, 'portal-logs-no-endpoints', async () => {
      const frame = await f.openPortal();
      const refuse = (route: Route) =>
        route.fulfill({ status: 503, json: { code: 1, message: 'unavailable' } });
      await f.page.route('**/v1/webhooks?*', refuse);
      try {
        await f.toDeliveries(frame);
        const field = frame.getByLabel('Endpoint id');
        await field.waitFor();
        await frame.getByText('The list of endpoints could not be loaded').waitFor();
        await f.rowsAre(
          frame,
          (await f.listed('tenant_id=acme')).slice(0, PAGE).map((d) => d.id),
          'the list, all the same',
        );
        await expect(frame.getByRole('alert').count()).resolves.toBe(0);
        await field.fill(f.flaky);
        await frame.getByRole('button', { name: 'Apply' }).click();
        await f.rowsAre(
          frame,
          (await f.listed(`webhook_id=${f.flaky}`)).map((d) => d.id),
          'the endpoint’s deliveries, by id',
        );
      } finally {
        await f.page.unroute('**/v1/webhooks?*', refuse);
      }
      // Chromium logs the refused list as a failed resource (taken off the list, so later
      // tests do not see it); nothing else went wrong.
      const { problems } = f.browser;
      problems.splice(0, problems.length, ...problems.filter((p) => !/status of 503/.test(p)));
      expect(problems).toEqual([]);
    });
  });

  it('shows a hostile response body as inert, visible text', async () => {
    await step(f.page, 'portal-logs-hostile', async () => {
      const frame = await f.openPortal();
      await f.toDeliveries(frame);
      const open = frame.locator(`tr[data-delivery-row="${f.flakyIds[0]}"] button`);
      await open.focus();
      await f.page.keyboard.press('Enter');
      await f.headingFocused(frame, `Delivery ${f.flakyIds[0].slice(0, 8)}`);
      await frame.locator('[data-delivery-status="failed"]').waitFor();
      await frame.locator('.timeline summary').first().click();
      const response = frame.locator('figure.raw').filter({ hasText: 'Response' }).locator('pre');
      const body = (await response.textContent()) ?? '';
      expect(body).toMatch(/^HTTP\/1\.1 500/);
      // Markup as text; the escape and the bidi controls as visible escapes, never as such.
      expect(body).toContain(
        '\\x1b[2J<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>' +
          '\\u202etxt.exe\\u2066!\\u2069',
      );
      for (const c of ['\u001b', '\u202e', '\u2066', '\u2069']) {
        expect(HOSTILE).toContain(c);
        expect(body).not.toContain(c);
      }
      await expect(frame.locator('img, main script').count()).resolves.toBe(0);
      expect(f.browser.problems).toEqual([]);
    });
  });

  it('shows a read-only session no Redeliver and no Recover', async () => {
    await step(f.page, 'portal-logs-read-only', async () => {
      const frame = await f.openPortal(true);
      await frame.locator('.portal-badge').filter({ hasText: 'Read-only' }).waitFor();
      await f.toDeliveries(frame);
      await frame.locator(`tr[data-delivery-row="${f.flakyIds[0]}"]`).waitFor();
      const writes = frame.getByRole('button', { name: /Recover|Redeliver|Send/ });
      await expect(writes.count()).resolves.toBe(0);
      await frame.locator(`tr[data-delivery-row="${f.flakyIds[0]}"] button`).click();
      await frame.locator('[data-delivery-status="failed"]').waitFor();
      await frame.locator('.timeline summary').first().waitFor();
      await expect(writes.count()).resolves.toBe(0);
      expect(f.browser.problems).toEqual([]);
    });
  });

  it('fits a phone’s width on both views, light and dark', async () => {
    await step(f.page, 'portal-logs-phone', async () => {
      const { page } = f;
      const session = await f.api('POST', '/v1/tenants/acme/portal-sessions', {});
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
        await page.locator(`tr[data-delivery-row="${f.flakyIds[0]}"]`).waitFor();
        await page.getByRole('button', { name: 'Recover failed deliveries…' }).click();
        await page.locator('#r-since').waitFor();
        await fits();
        await page.locator(`tr[data-delivery-row="${f.flakyIds[0]}"] button`).click();
        await page.locator('.timeline summary').first().click();
        await page.locator('figure.raw pre').nth(2).waitFor();
        await fits();
      }
      // The two schemes differ: the page follows the system's.
      expect(await background()).not.toBe(light);
      expect(f.browser.problems).toEqual([]);
    });
  });
});
