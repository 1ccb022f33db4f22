import type { ConsoleMessage, Page, WebError } from 'playwright-core';
import { step, type Browser } from '../support/browser';
import { call, type Stack } from '../helpers/system';
import { useDashboardStack } from '../helpers/dashboard';
import { WEBHOOK_COLUMNS } from '../helpers/migrations';
import { until } from '../helpers/wait';

/**
 * The dashboard's tenants page (SPEC §10, §11) in Debian's Chromium against the real
 * `postmand server`: a tenant created through its form (the API's validation messages shown
 * by field), listed with keyset pages, a taken id refused rather than replaced, edited
 * (metadata too, and a stale form refused), an unknown one answered as the API answers,
 * and deleted after a confirmation that names what goes with it. Nothing here needs more
 * of the API than the tenant routes; tenant-filters.e2e-spec.ts covers the rest.
 */
describe('dashboard: the tenants page', () => {
  const dashboard = useDashboardStack();
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let ui: string;
  beforeAll(() => ({ stack, browser, page, ui } = dashboard));

  const api = (method: string, path: string, body?: unknown) =>
    call(stack.server.apiUrl, method, path, body, 60_000);
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const js = <T = unknown>(expression: string): Promise<T> => page.evaluate<T>(expression);
  const loaded = () =>
    until(
      async () => (await page.locator('.loading, [aria-busy="true"]').count()) === 0,
      30_000,
      'the page to load',
    );
  const newTenantForm = async () => {
    await page.getByText('New tenant', { exact: true }).click();
    return page.locator('form.tenant-form');
  };

  it('creates a tenant through its form, showing the API’s validation messages by field', async () => {
    await step(page, 'tenant-create', async () => {
      await page.goto(`${ui}/`);
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Tenants' })
        .click();
      await heading('Tenants').waitFor();
      await page.getByText('No tenants yet').waitFor();

      const refused = await api('PUT', '/v1/tenants/acme', { max_webhooks: 0 });
      expect(refused.status).toBe(400);
      const reason = String(refused.body.details).replace(/^max_webhooks: |\.$/g, '');

      const form = await newTenantForm();
      await form.getByLabel('Id', { exact: true }).fill('acme');
      await form.getByLabel('Name', { exact: true }).fill('Acme Corp');
      await form.getByLabel('Max webhooks').fill('0');
      await form.getByRole('button', { name: 'Add a key' }).click();
      await form.getByLabel('Key 1', { exact: true }).fill('plan');
      await form.getByLabel('Value 1', { exact: true }).fill('enterprise');
      await form.getByRole('button', { name: 'Create tenant' }).click();
      const alert = page.getByRole('alert');
      await expect(alert.textContent()).resolves.toContain('request validation failed');
      await expect(page.locator('#f-max_webhooks-note').textContent()).resolves.toBe(
        `Max webhooks ${reason}`,
      );
      expect(await js('document.activeElement?.id')).toBe('f-max_webhooks');
      expect((await api('GET', '/v1/tenants/acme')).status).toBe(404);

      await form.getByLabel('Max webhooks').fill('5');
      await form.getByRole('button', { name: 'Create tenant' }).click();
      await heading('Tenant “Acme Corp”').waitFor();
      expect(new URL(page.url()).pathname).toBe('/ui/tenants/acme');
      await expect(page.locator('[data-metadata-key="plan"] dd').textContent()).resolves.toBe(
        'enterprise',
      );
      expect((await api('GET', '/v1/tenants/acme')).body).toMatchObject({
        id: 'acme',
        name: 'Acme Corp',
        metadata: { plan: 'enterprise' },
        max_webhooks: 5,
      });
    });
  });

  it('lists tenants a page at a time, and refuses a taken id instead of replacing it', async () => {
    await step(page, 'tenant-list', async () => {
      for (let i = 0; i < 50; i++) {
        const id = `t-${String(i).padStart(2, '0')}`;
        expect((await api('PUT', `/v1/tenants/${id}`, {})).status).toBe(201);
      }
      await page.goto(`${ui}/tenants`);
      await heading('Tenants').waitFor();
      await loaded();
      const acme = page.locator('tr[data-tenant-row="acme"]');
      await expect(acme.textContent()).resolves.toMatch(/acme.*Acme Corp.*5.*plan=enterprise/);
      await expect(page.locator('tbody tr').count()).resolves.toBe(50);
      await page.getByRole('link', { name: 'Next page →' }).click();
      await page.locator('tr[data-tenant-row="t-49"]').waitFor();
      await loaded();
      await expect(page.locator('tbody tr').count()).resolves.toBe(1);
      await page.getByText('End of the list').waitFor();

      await page.goto(`${ui}/tenants`);
      const form = await newTenantForm();
      await form.getByLabel('Id', { exact: true }).fill('acme');
      await form.getByLabel('Name', { exact: true }).fill('Impostor');
      await form.getByRole('button', { name: 'Create tenant' }).click();
      await page.getByRole('alert').filter({ hasText: 'exists already' }).waitFor();
      expect((await api('GET', '/v1/tenants/acme')).body.name).toBe('Acme Corp');
    });
  });

  it('edits a tenant, and refuses to save over a change made since the form was filled', async () => {
    await step(page, 'tenant-edit', async () => {
      await page.goto(`${ui}/tenants/acme`);
      await heading('Tenant “Acme Corp”').waitFor();
      await page.getByRole('link', { name: 'Edit' }).click();
      await heading('Edit tenant “Acme Corp”').waitFor();
      const form = page.locator('form.tenant-form');
      await expect(form.getByLabel('Id', { exact: true }).count()).resolves.toBe(0);
      await form.getByLabel('Name', { exact: true }).fill('Acme Inc');
      await form.getByLabel('Max webhooks').fill('');
      await form.getByRole('button', { name: 'Remove line 1 (plan)' }).click();
      await form.getByRole('button', { name: 'Add a key' }).click();
      await form.getByLabel('Key 1', { exact: true }).fill('region');
      await form.getByLabel('Value 1', { exact: true }).fill('eu');
      await form.getByRole('button', { name: 'Add a key' }).click();
      await form.getByLabel('Key 2', { exact: true }).fill('region');
      await form.getByRole('button', { name: 'Save changes' }).click();
      await expect(page.locator('#f-metadata-note').textContent()).resolves.toBe(
        'Metadata has the key "region" twice',
      );
      await form.getByRole('button', { name: 'Remove line 2 (region)' }).click();
      await form.getByRole('button', { name: 'Save changes' }).click();
      await heading('Tenant “Acme Inc”').waitFor();
      expect((await api('GET', '/v1/tenants/acme')).body).toMatchObject({
        name: 'Acme Inc',
        metadata: { region: 'eu' },
        max_webhooks: null,
      });

      await page.getByRole('link', { name: 'Edit' }).click();
      await heading('Edit tenant “Acme Inc”').waitFor();
      await page.getByLabel('Name', { exact: true }).fill('Acme (stale)');
      expect((await api('PUT', '/v1/tenants/acme', { name: 'Acme Elsewhere' })).status).toBe(200);
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: 'changed after this form was filled' })
        .waitFor();
      expect((await api('GET', '/v1/tenants/acme')).body.name).toBe('Acme Elsewhere');
    });
  });

  it('shows an unknown tenant as the API answers it, and a new webhook for a tenant starts with its id', async () => {
    await step(page, 'tenant-unknown', async () => {
      await page.goto(`${ui}/tenants/nobody`);
      await page.getByRole('alert').filter({ hasText: 'tenant not found' }).waitFor();
      await page.goto(`${ui}/tenants/acme`);
      await heading('Tenant “Acme Elsewhere”').waitFor();
      await page.getByRole('link', { name: 'New webhook for this tenant' }).click();
      await heading('New webhook').waitFor();
      await expect(page.getByLabel('Tenant', { exact: true }).inputValue()).resolves.toBe('acme');
    });
  });

  it('fits a phone screen', async () => {
    await step(page, 'tenant-phone', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      for (const where of ['/tenants', '/tenants/acme', '/tenants/acme/edit']) {
        await page.goto(`${ui}${where}`);
        await heading(/./).waitFor();
        await loaded();
        const overflow = await js<number>(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        );
        expect([where, overflow]).toEqual([where, 0]);
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    });
  });

  it('opens the portal as the tenant: a short read-only session, in a tab of its own', async () => {
    await step(page, 'tenant-open-portal', async () => {
      await page.goto(`${ui}/tenants/acme`);
      await heading('Tenant “Acme Elsewhere”').waitFor();
      // Listened for on the context before the tab opens: its first messages count too.
      const problems: string[] = [];
      const onConsole = (m: ConsoleMessage) =>
        void (m.page() !== page && m.type() === 'error' && problems.push(m.text()));
      const onError = (e: WebError) => void (e.page() !== page && problems.push(e.error().message));
      browser.context.on('console', onConsole);
      browser.context.on('weberror', onError);
      const [tab] = await Promise.all([
        browser.context.waitForEvent('page'),
        page.getByRole('button', { name: 'Open the portal as this tenant' }).click(),
      ]);
      await tab.locator('.portal-badge').filter({ hasText: 'Read-only' }).waitFor();
      await expect(tab.locator('.portal-tenant').textContent()).resolves.toBe(
        'Acme ElsewhereRead-only',
      );
      expect(new URL(tab.url())).toMatchObject({ pathname: '/portal', hash: '' });
      expect(await tab.evaluate('window.opener')).toBeNull();
      const [newest] = (await api('GET', '/v1/tenants/acme/portal-sessions')).body
        .portal_sessions as { id: string; read_only: boolean; expires_at: string }[];
      expect(newest.read_only).toBe(true);
      expect(Date.parse(newest.expires_at) - Date.now()).toBeLessThanOrEqual(900_000);
      // The tenant page lists the new session without a reload.
      await page.locator(`[data-session-id="${newest.id}"]`).waitFor();
      expect(problems).toEqual([]);
      browser.context.off('console', onConsole);
      browser.context.off('weberror', onError);
      await tab.close();
    });
  });

  it('deletes a tenant after a confirmation that names what goes with it', async () => {
    await step(page, 'tenant-delete', async () => {
      const [{ id: hook }] = await stack.db.dataSource.query<{ id: string }[]>(
        `INSERT INTO webhooks (${WEBHOOK_COLUMNS}, tenant_id)
         VALUES ('acme hook', 'http://127.0.0.1:9/', 'application/json', '{200}', 5, 10, 10, 60,
                 'acme')
         RETURNING id`,
      );
      await page.goto(`${ui}/tenants/acme`);
      await heading('Tenant “Acme Elsewhere”').waitFor();
      let asked = '';
      page.once('dialog', (dialog) => {
        asked = dialog.message();
        void dialog.accept();
      });
      await page.getByRole('button', { name: 'Delete' }).click();
      await heading('Tenants').waitFor();
      for (const what of ['webhooks', 'deliveries', 'events', 'portal sessions']) {
        expect(asked).toContain(what);
      }
      await loaded();
      await expect(page.locator('tr[data-tenant-row="acme"]').count()).resolves.toBe(0);
      expect((await api('GET', '/v1/tenants/acme')).status).toBe(404);
      expect(
        await stack.db.dataSource.query(`SELECT id FROM webhooks WHERE id = $1`, [hook]),
      ).toEqual([]);
    });
  });

  it('loaded nothing from outside the service and broke no CSP rule', () => {
    const origin = new URL(stack.server.apiUrl).origin;
    expect(browser.requested.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
    expect(browser.problems).toEqual([]);
  });
});
