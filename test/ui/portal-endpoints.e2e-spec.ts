import type { Frame, Page } from 'playwright-core';
import { openBrowser, step, type Browser } from '../support/browser';
import { startEmbedder, type Embedder } from '../support/embedder';
import { call, createWebhook, startStack, type StackWithWorker } from '../helpers/system';
import { eventually, until } from '../helpers/wait';

/** Every control that writes: a read-only session's frame shows none of them. */
const WRITE_CONTROLS = [
  'New endpoint',
  'Create endpoint',
  'Edit',
  'Save changes',
  'Disable',
  'Enable',
  'Delete…',
  'Delete endpoint',
  'Rotate secret',
];

/**
 * The customer portal's endpoint management (SPEC §13 "Endpoints") in Debian's Chromium
 * against the real `postmand server` and worker, framed by a page of another site
 * (`localhost`, while the API is `127.0.0.1`): create, list with the success rate, edit,
 * the API's message by a field, disable and enable, the secret revealed, copied and
 * rotated, delete; a read-only session without a control that writes; another tenant's
 * endpoints never shown; a phone's width; no console error or CSP violation throughout.
 */
describe('the customer portal’s endpoints, framed by another site', () => {
  let stack: StackWithWorker;
  let embedder: Embedder;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    embedder = await startEmbedder('localhost');
    stack = await startStack({
      env: { POSTMAND_PORTAL_FRAME_ANCESTORS: embedder.origin },
      // A tenant's endpoint reaches public addresses only (SPEC §16), but for the receiver's.
      worker: { POSTMAND_ALLOWED_NETWORKS: '127.0.0.1/32' },
    });
    browser = await openBrowser();
    page = browser.page;
    page.setDefaultTimeout(60_000);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await embedder?.close();
  });

  const api = (method: string, path: string, body?: unknown) =>
    call(stack.server.apiUrl, method, path, body, 60_000);
  const portalFrame = (): Promise<Frame> =>
    eventually(
      () => page.frames().find((f) => f !== page.mainFrame()),
      30_000,
      'the portal’s frame',
    );
  /** Opens the portal in the embedder's frame with a new session of acme. */
  const openPortal = async (readOnly = false): Promise<Frame> => {
    const session = await api('POST', '/v1/tenants/acme/portal-sessions', {
      read_only: readOnly,
    });
    expect(session.status).toBe(201);
    embedder.frameSrc = session.body.url;
    await page.goto(`${embedder.origin}/`);
    const frame = await portalFrame();
    await frame.getByRole('heading', { name: 'Endpoints' }).waitFor();
    return frame;
  };
  /** Waits for the view titled `name`, and for focus to reach its heading. */
  const viewOf = async (frame: Frame, name: string): Promise<void> => {
    await frame.getByRole('heading', { level: 1, name }).waitFor();
    await until(
      () => frame.evaluate<boolean>("document.activeElement?.id === 'page-title'"),
      30_000,
      `focus on the heading of “${name}”`,
    );
  };
  const held = async (id: string) => (await api('GET', `/v1/webhooks/${id}`)).body;
  let frame: Frame;
  let id = '';
  let theirs = '';

  it('creates an endpoint in the frame and lists it, with no other tenant’s', async () => {
    await step(page, 'portal-endpoint-create', async () => {
      for (const tenant of ['acme', 'globex']) {
        expect((await api('PUT', `/v1/tenants/${tenant}`, {})).status).toBe(201);
      }
      theirs = await createWebhook(stack.server.apiUrl, 'https://example.com/globex', {
        name: 'globex endpoint',
        tenant_id: 'globex',
      });
      frame = await openPortal();
      await frame.getByRole('button', { name: 'New endpoint' }).click();
      await viewOf(frame, 'New endpoint');
      await frame.getByLabel('URL').fill(`${stack.receiver.url}/acme`);
      await frame.getByLabel('Name').fill('acme orders');
      await frame.getByLabel('Event types').fill('order.*, invoice.paid');
      await frame.getByRole('button', { name: 'Create endpoint' }).click();
      await viewOf(frame, 'acme orders');

      const listed = await api('GET', '/v1/webhooks?tenant_id=acme');
      expect(listed.body.webhooks).toHaveLength(1);
      const made = listed.body.webhooks[0];
      id = made.id;
      expect(made).toMatchObject({
        name: 'acme orders',
        url: `${stack.receiver.url}/acme`,
        tenant_id: 'acme',
        event_types: ['order.*', 'invoice.paid'],
        active: true,
      });
      // Signed from its first delivery, with a secret of Standard Webhooks' form.
      expect(made.secret_token).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

      await frame.getByRole('button', { name: '← All endpoints' }).click();
      await viewOf(frame, 'Endpoints');
      await frame.locator(`tr[data-endpoint-row="${id}"]`).waitFor();
      expect(await frame.locator('tbody tr').count()).toBe(1);
      expect(await frame.locator(`[data-endpoint-row="${theirs}"]`).count()).toBe(0);
      expect((await frame.locator('main').textContent()) ?? '').not.toContain('globex');
      expect(browser.problems).toEqual([]);
    });
  });

  it('shows the endpoint’s success rate from its attempts', async () => {
    await step(page, 'portal-endpoint-rate', async () => {
      const delivery = await api('POST', '/v1/deliveries', { webhook_id: id, payload: '{}' });
      expect(delivery.status).toBe(201);
      await stack.receiver.waitForRequests(1);
      await until(
        async () =>
          (await api('GET', `/v1/stats/webhooks?webhook_ids=${id}`)).body.webhooks[0]
            ?.success_rate === 1,
        60_000,
        'the attempt to count',
      );
      // Into the endpoint's view and back: the list asks again.
      await frame.getByRole('button', { name: 'acme orders' }).click();
      await viewOf(frame, 'acme orders');
      await frame.locator('[data-success-rate="1"]').waitFor();
      await frame.getByRole('button', { name: '← All endpoints' }).click();
      const rate = frame.locator(`tr[data-endpoint-row="${id}"] [data-success-rate="1"]`);
      await rate.waitFor();
      expect(await rate.textContent()).toContain('100 %');
      expect(browser.problems).toEqual([]);
    });
  });

  it('edits the endpoint, showing the API’s message by a field it refuses', async () => {
    await step(page, 'portal-endpoint-edit', async () => {
      const before = await held(id);
      await frame.getByRole('button', { name: 'acme orders' }).click();
      await viewOf(frame, 'acme orders');
      await frame.getByRole('button', { name: 'Edit' }).click();
      await viewOf(frame, 'Edit “acme orders”');

      await frame.getByLabel('URL').fill('ftp://example.com/acme');
      await frame.getByRole('button', { name: 'Save changes' }).click();
      const note = frame.locator('#f-url-note.field-error');
      await note.waitFor();
      // The API's own reason for the same URL, word for word.
      const refused = await api('PUT', `/v1/webhooks/${id}`, {
        ...before,
        url: 'ftp://example.com/acme',
      });
      expect(refused.status).toBe(400);
      const reason = /(?:^|; )url: ([^;]+?)\.?(?:;|$)/.exec(refused.body.details)?.[1];
      expect(reason).toBeTruthy();
      expect(await note.textContent()).toBe(`URL ${reason}`);
      await until(
        () => frame.evaluate<boolean>("document.activeElement?.id === 'f-url'"),
        30_000,
        'focus on the URL field',
      );

      await frame.getByLabel('URL').fill(`${stack.receiver.url}/acme/v2`);
      await frame.getByLabel('Name').fill('acme orders v2');
      await frame.getByRole('button', { name: 'Save changes' }).click();
      await viewOf(frame, 'acme orders v2');
      const after = await held(id);
      expect(after).toMatchObject({ name: 'acme orders v2', url: `${stack.receiver.url}/acme/v2` });
      // A PUT replaces the whole webhook: what the form does not show is kept.
      for (const kept of ['secret_token', 'event_types', 'content_type', 'valid_status_codes']) {
        expect(after[kept]).toEqual(before[kept]);
      }
      expect(browser.problems).toEqual([]);
    });
  });

  it('disables and enables the endpoint', async () => {
    await step(page, 'portal-endpoint-toggle', async () => {
      await frame.getByRole('button', { name: 'Disable' }).click();
      await frame.getByRole('button', { name: 'Enable' }).waitFor();
      expect((await held(id)).active).toBe(false);
      expect(await frame.locator('[data-state] [data-circuit="disabled"]').textContent()).toContain(
        'Inactive',
      );
      await frame.getByRole('button', { name: 'Enable' }).click();
      await frame.getByRole('button', { name: 'Disable' }).waitFor();
      expect((await held(id)).active).toBe(true);
      expect(await frame.locator('[data-state] [data-circuit="closed"]').count()).toBe(1);
      expect(browser.problems).toEqual([]);
    });
  });

  it('shows the signing secret only once asked, and copies it', async () => {
    await step(page, 'portal-endpoint-secret', async () => {
      const secret = (await held(id)).secret_token as string;
      expect(await frame.evaluate<string>('document.documentElement.outerHTML')).not.toContain(
        secret,
      );
      await frame.getByRole('button', { name: 'Reveal secret' }).click();
      const shown = frame.locator('[data-secret]');
      await shown.waitFor();
      expect(await shown.textContent()).toBe(secret);
      // The button pressed has left the page: focus is on the secret.
      await until(
        () => frame.evaluate<boolean>("!!document.activeElement?.hasAttribute('data-secret')"),
        30_000,
        'focus on the secret',
      );
      await frame.getByRole('button', { name: 'Copy' }).click();
      const result = frame.locator('[data-copy-result="copied"], [data-copy-result="selected"]');
      await result.waitFor();
      if ((await result.getAttribute('data-copy-result')) === 'copied') {
        expect(await result.textContent()).toBe('Copied');
      } else {
        // A frame of another site without clipboard-write: the secret is selected instead.
        expect(await result.textContent()).toMatch(/^Select and copy/);
        expect(await frame.evaluate<string>('String(window.getSelection())')).toBe(secret);
      }
      expect(browser.problems).toEqual([]);
    });
  });

  it('rotates the secret, saying until when the old one stays valid', async () => {
    await step(page, 'portal-endpoint-rotate', async () => {
      const old = (await held(id)).secret_token as string;
      await frame.getByLabel('The old secret keeps signing').selectOption({ label: 'For 1 day' });
      await frame.getByRole('button', { name: 'Rotate secret' }).click();
      const notice = frame.locator('[data-rotated]');
      await notice.waitFor();
      expect(await notice.textContent()).toContain(
        'The old one stays valid, signing beside it, until',
      );
      const now = await held(id);
      expect(now.secret_token).not.toBe(old);
      expect(now.secret_token).toMatch(/^whsec_/);
      // The secret on show is the new one.
      expect(await frame.locator('[data-secret]').textContent()).toBe(now.secret_token);
      expect(browser.problems).toEqual([]);
    });
  });

  it('deletes the endpoint after a confirmation, back to the list', async () => {
    await step(page, 'portal-endpoint-delete', async () => {
      await frame.getByRole('button', { name: 'Delete…' }).click();
      // Asked first: nothing is deleted yet.
      await frame.getByRole('button', { name: 'Delete endpoint' }).waitFor();
      expect((await api('GET', `/v1/webhooks/${id}`)).status).toBe(200);
      await frame.getByRole('button', { name: 'Delete endpoint' }).click();
      await viewOf(frame, 'Endpoints');
      expect((await api('GET', `/v1/webhooks/${id}`)).status).toBe(404);
      await frame.getByText('No endpoints yet.').waitFor();
      expect((await api('GET', `/v1/webhooks/${theirs}`)).status).toBe(200);
      expect(browser.problems).toEqual([]);
    });
  });

  it('shows a read-only session no control that writes, yet its secret on request', async () => {
    await step(page, 'portal-endpoint-read-only', async () => {
      id = await createWebhook(stack.server.apiUrl, `${stack.receiver.url}/ro`, {
        name: 'acme read',
        tenant_id: 'acme',
        secret_token: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      });
      frame = await openPortal(true);
      await frame.locator('.portal-badge').filter({ hasText: 'Read-only' }).waitFor();
      await frame.locator(`tr[data-endpoint-row="${id}"]`).waitFor();
      const noWriteControl = async () => {
        for (const name of WRITE_CONTROLS) {
          expect([name, await frame.getByRole('button', { name, exact: true }).count()]).toEqual([
            name,
            0,
          ]);
        }
        expect(await frame.locator('form, input, textarea, select').count()).toBe(0);
      };
      await noWriteControl();
      await frame.getByRole('button', { name: 'acme read' }).click();
      await viewOf(frame, 'acme read');
      await frame.locator('[data-success-rate]').waitFor();
      await noWriteControl();
      await frame.getByRole('button', { name: 'Reveal secret' }).click();
      expect(await frame.locator('[data-secret]').textContent()).toBe(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      );
      await noWriteControl();
      expect(browser.problems).toEqual([]);
    });
  });

  it('fits a phone’s width, light and dark, on the list and an endpoint’s view', async () => {
    await step(page, 'portal-endpoint-phone', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      frame = await openPortal();
      await page.evaluate("document.querySelector('iframe').width = '390'");
      const fits = () =>
        frame.evaluate<number>(
          'document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth',
        );
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await frame.locator(`tr[data-endpoint-row="${id}"]`).waitFor();
        expect(await frame.evaluate<number>('document.documentElement.clientWidth')).toBe(390);
        expect(await fits()).toBeLessThanOrEqual(0);
        await frame.getByRole('button', { name: 'acme read' }).click();
        await viewOf(frame, 'acme read');
        await frame.getByRole('button', { name: 'Reveal secret' }).click();
        await frame.getByRole('button', { name: 'Delete…' }).click();
        await frame.getByRole('button', { name: 'Delete endpoint' }).waitFor();
        expect(await fits()).toBeLessThanOrEqual(0);
        const background = await frame.evaluate<string>(
          'getComputedStyle(document.documentElement).backgroundColor',
        );
        expect(background).toBe(scheme === 'dark' ? 'rgb(20, 23, 27)' : 'rgb(247, 248, 250)');
        await frame.getByRole('button', { name: 'Keep it' }).click();
        await until(
          () => frame.evaluate<boolean>("document.activeElement?.textContent === 'Delete…'"),
          30_000,
          'focus back on “Delete…”',
        );
        await frame.getByRole('button', { name: '← All endpoints' }).click();
        await viewOf(frame, 'Endpoints');
      }
      await page.emulateMedia({ colorScheme: null });
      await page.setViewportSize({ width: 1280, height: 800 });
      expect(browser.problems).toEqual([]);
    });
  });
});
