import type { Frame, Page, Request } from 'playwright-core';
import { openBrowser, step, type Browser } from '../support/browser';
import { startEmbedder, type Embedder } from '../support/embedder';
import { call, createWebhook, startStack, type Stack } from '../helpers/system';
import { eventually, until } from '../helpers/wait';

/**
 * The customer portal (SPEC §13) in Debian's Chromium against the real `postmand server`,
 * framed by a page of another site (`localhost`, while the API is `127.0.0.1`) that
 * POSTMAND_PORTAL_FRAME_ANCESTORS names: the session's tenant's endpoints and no other
 * tenant's, the token out of the address at once and in no request's URL or headers but
 * its Authorization, "Session expired" once revoked, and no frame for a site not named.
 */
describe('the customer portal, framed by another site', () => {
  let stack: Stack;
  let allowed: Embedder;
  let stranger: Embedder;
  let browser: Browser;
  let page: Page;
  const sent: Request[] = [];

  beforeAll(async () => {
    allowed = await startEmbedder('localhost');
    stranger = await startEmbedder('127.0.0.1');
    stack = await startStack({
      worker: false,
      env: {
        POSTMAND_PORTAL_FRAME_ANCESTORS: allowed.origin,
        POSTMAND_PORTAL_TITLE: 'Acme Hooks',
        POSTMAND_PORTAL_ACCENT: '#0a7cff',
      },
    });
    browser = await openBrowser();
    page = browser.page;
    page.setDefaultTimeout(60_000);
    page.on('request', (r) => sent.push(r));
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await allowed?.close();
    await stranger?.close();
  });

  const api = (method: string, path: string, body?: unknown) =>
    call(stack.server.apiUrl, method, path, body, 60_000);
  const portalFrame = (): Promise<Frame> =>
    eventually(
      () => page.frames().find((f) => f !== page.mainFrame()),
      30_000,
      'the portal’s frame',
    );
  let token = '';
  const ours: string[] = [];
  let theirs = '';

  it('lists the session tenant’s endpoints inside the frame, and no other tenant’s', async () => {
    await step(page, 'portal-endpoints', async () => {
      for (const [id, name] of [
        ['acme', 'Acme Corp'],
        ['globex', 'Globex'],
      ]) {
        expect((await api('PUT', `/v1/tenants/${id}`, { name })).status).toBe(201);
      }
      for (const name of ['orders', 'billing']) {
        ours.push(
          await createWebhook(stack.server.apiUrl, `https://example.com/acme/${name}`, {
            name: `acme ${name}`,
            tenant_id: 'acme',
            active: name === 'orders',
          }),
        );
      }
      theirs = await createWebhook(stack.server.apiUrl, 'https://example.com/globex', {
        name: 'globex secret',
        tenant_id: 'globex',
      });
      const session = await api('POST', '/v1/tenants/acme/portal-sessions', {});
      expect(session.status).toBe(201);
      token = session.body.token;
      allowed.frameSrc = session.body.url;

      await page.goto(`${allowed.origin}/`);
      const frame = await portalFrame();
      for (const id of ours) await frame.locator(`tr[data-endpoint-row="${id}"]`).waitFor();
      await expect(frame.locator('tbody tr').count()).resolves.toBe(2);
      const text = (await frame.locator('main').textContent()) ?? '';
      expect(text).toContain('https://example.com/acme/orders');
      expect(text).not.toContain('globex');
      await expect(
        frame.locator(`tr[data-endpoint-row="${ours[1]}"] [data-circuit]`).textContent(),
      ).resolves.toContain('Inactive');
      await expect(frame.locator('.portal-title').textContent()).resolves.toBe('Acme Hooks');
      await expect(frame.locator('.portal-tenant[data-tenant="acme"]').textContent()).resolves.toBe(
        'Acme Corp',
      );
      expect(await frame.evaluate('document.title')).toBe('Acme Hooks');
      expect(
        await frame.evaluate(
          "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()",
        ),
      ).toBe('#0a7cff');
      expect(await frame.locator(`[data-endpoint-row="${theirs}"]`).count()).toBe(0);
    });
  });

  it('keeps the token out of the address, the page, and every request but its bearer', async () => {
    await step(page, 'portal-token', async () => {
      const frame = await portalFrame();
      const address = await frame.evaluate<string[]>('[location.href, location.hash]');
      expect(address[1]).toBe('');
      expect(address[0]).not.toContain(token);
      expect(await frame.evaluate<string>('document.documentElement.outerHTML')).not.toContain(
        token,
      );
      expect(sent.length).toBeGreaterThan(0);
      let bearers = 0;
      for (const r of sent) {
        // The fragment is the browser's own: it never goes over the wire.
        expect(r.url().split('#')[0]).not.toContain(token);
        for (const [name, value] of Object.entries(await r.allHeaders())) {
          if (name === 'authorization' && value === `Bearer ${token}`) bearers++;
          else expect([r.url(), name, value]).not.toContainEqual(expect.stringContaining(token));
        }
      }
      expect(bearers).toBeGreaterThan(0);
      expect(browser.problems).toEqual([]);
    });
  });

  it('says when a session is read-only, and shows it no control that writes', async () => {
    await step(page, 'portal-read-only', async () => {
      const session = await api('POST', '/v1/tenants/acme/portal-sessions', { read_only: true });
      allowed.frameSrc = session.body.url;
      await page.goto(`${allowed.origin}/`);
      const frame = await portalFrame();
      await frame.locator('.portal-badge').filter({ hasText: 'Read-only' }).waitFor();
      for (const id of ours) await frame.locator(`tr[data-endpoint-row="${id}"]`).waitFor();
      // No control that writes (portal-endpoints.e2e-spec.ts checks each view by name).
      expect(await frame.getByRole('button', { name: 'New endpoint' }).count()).toBe(0);
      expect(await frame.locator('form, input, textarea, select').count()).toBe(0);
      expect(browser.problems).toEqual([]);
    });
  });

  it('shows "Session expired" and nothing else once the session is revoked', async () => {
    await step(page, 'portal-expired', async () => {
      expect((await api('DELETE', '/v1/tenants/acme/portal-sessions')).status).toBe(204);
      await page.reload();
      const frame = await portalFrame();
      await frame.getByRole('heading', { name: 'Session expired' }).waitFor();
      expect(await frame.locator('table, .portal-head').count()).toBe(0);
      // What the tab still holds: nothing of the token (a frame of another site may be
      // denied sessionStorage altogether, and the page then keeps it in memory only).
      const held = await frame.evaluate<string>(
        '(() => { try { return JSON.stringify(Object.entries(sessionStorage)); } catch { return "denied"; } })()',
      );
      expect(held).not.toContain(token);
      expect(await frame.evaluate<string>('document.documentElement.outerHTML')).not.toContain(
        token,
      );
      expect(browser.problems).toEqual([]);
    });
  });

  it('cannot be framed by a site POSTMAND_PORTAL_FRAME_ANCESTORS does not name', async () => {
    await step(page, 'portal-refused', async () => {
      const session = await api('POST', '/v1/tenants/acme/portal-sessions', {});
      stranger.frameSrc = session.body.url;
      const before = sent.length;
      await page.goto(`${stranger.origin}/`);
      await until(
        () => browser.problems.some((p) => /frame-ancestors/.test(p)),
        30_000,
        'Chromium to refuse the frame',
      );
      const frame = await portalFrame();
      expect(await frame.evaluate("document.querySelector('#app')")).toBeNull();
      // The refusal itself is the only problem: no error or CSP violation of the portal's.
      expect(browser.problems.filter((p) => !/frame-ancestors/.test(p))).toEqual([]);
      // The refused page ran nothing: no call of the API with the session's token.
      expect(sent.slice(before).filter((r) => new URL(r.url()).pathname.startsWith('/v1'))).toEqual(
        [],
      );
    });
  });
});
