import type { Frame } from 'playwright-core';
import { step } from '../support/browser';
import { startPortalHarness, type PortalHarness } from '../helpers/portal';
import { until } from '../helpers/wait';

/**
 * The customer portal's endpoint secret (SPEC §13 "Endpoints"), framed by a page of another
 * site: revealed only when asked, copied (selected where the frame may not use the
 * clipboard), rotated with or without a grace period; an endpoint whose stored secret
 * today's rules refuse; no console error or CSP violation. Each case makes its own endpoint.
 */
describe('the customer portal’s endpoint secret, framed by another site', () => {
  let h: PortalHarness;
  beforeAll(async () => {
    h = await startPortalHarness();
  }, 300_000);
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => expect(h.browser.problems).toEqual([]));

  /** Reveals the secret and presses Copy; the copy's result. */
  const copy = async (frame: Frame, secret: string): Promise<string | null> => {
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
    const result = frame.locator('[data-copy-result]:not([data-copy-result=""])');
    await result.waitFor();
    return result.getAttribute('data-copy-result');
  };

  it('selects the secret where the frame may not copy; rotates it, saying what still signs', async () => {
    await step(h.page, 'portal-endpoint-secret', async () => {
      const id = await h.endpoint('acme secret');
      const secret = (await h.held(id)).secret_token as string;
      const frame = await h.openEndpoint('acme secret');
      // A frame of another site without clipboard-write: the secret is selected instead.
      expect(await copy(frame, secret)).toBe('selected');
      const result = frame.locator('[data-copy-result="selected"]');
      expect(await result.textContent()).toMatch(/^Select and copy: the secret is selected/);
      expect(await frame.evaluate<string>('String(window.getSelection())')).toBe(secret);

      // The notice's live region is on the page before it has anything to say.
      const notice = frame.locator('.rotate [role="status"]');
      expect(await notice.count()).toBe(1);
      expect(await notice.textContent()).toBe('');
      await frame.getByLabel('The old secret keeps signing').selectOption({ label: 'For 1 day' });
      await frame.getByRole('button', { name: 'Rotate secret' }).click();
      await frame.locator('[data-rotated]').waitFor();
      expect(await notice.textContent()).toContain(
        'The one it replaced stays valid, signing beside it, until',
      );
      const now = await h.held(id);
      expect(now.secret_token).not.toBe(secret);
      // The secret on show is the new one, and nothing is said of copying the old one.
      expect(await frame.locator('[data-secret]').textContent()).toBe(now.secret_token);
      expect(await frame.locator('[data-copy-result]').getAttribute('data-copy-result')).toBe('');
      expect(await frame.getByText('Select and copy').count()).toBe(0);

      // No grace: the one replaced stops, not those retired before it.
      await frame.getByLabel('The old secret keeps signing').selectOption({ label: 'Not at all' });
      await frame.getByRole('button', { name: 'Rotate secret' }).click();
      await until(
        async () => ((await notice.textContent()) ?? '').includes('stopped signing now'),
        30_000,
        'the notice of a rotation without grace',
      );
      expect(await notice.textContent()).toContain(
        'Secrets replaced by earlier rotations keep signing until their own time ends.',
      );
      const [row] = await h.stack.db.dataSource.query<{ previous: string[] }[]>(
        `SELECT ARRAY(SELECT s->>'secret_token' FROM jsonb_array_elements(previous_secrets) s)
           AS previous FROM webhooks WHERE id = $1`,
        [id],
      );
      expect(row.previous).toEqual([secret]);
    });
  });

  it('copies the secret where the embedder allows clipboard-write', async () => {
    await step(h.page, 'portal-endpoint-copy', async () => {
      const id = await h.endpoint('acme copied');
      const secret = (await h.held(id)).secret_token as string;
      h.embedder.frameAllow = 'clipboard-write';
      try {
        const frame = await h.openEndpoint('acme copied');
        for (const origin of [new URL(frame.url()).origin, h.embedder.origin]) {
          await h.browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
            origin,
          });
        }
        expect(await copy(frame, secret)).toBe('copied');
        expect(await frame.locator('[data-copy-result="copied"]').textContent()).toBe('Copied');
        expect(await h.page.evaluate<string>('navigator.clipboard.readText()')).toBe(secret);
      } finally {
        h.embedder.frameAllow = '';
        await h.browser.context.clearPermissions();
      }
    });
  });

  it('says to rotate a secret that today’s rules refuse before an edit or a toggle', async () => {
    await step(h.page, 'portal-endpoint-old-secret', async () => {
      const id = await h.endpoint('acme legacy');
      // A secret accepted before v3: `whsec_` and base64 of 5 bytes.
      await h.stack.db.dataSource.query(
        `UPDATE webhooks SET secret_token = 'whsec_c2hvcnQ=' WHERE id = $1`,
        [id],
      );
      const frame = await h.openEndpoint('acme legacy');
      await frame.getByRole('button', { name: 'Disable' }).click();
      const alert = frame.locator('[role="alert"]');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('Rotate the secret first');
      expect(await alert.textContent()).not.toContain('secret_token');
      expect((await h.held(id)).active).toBe(true);

      await frame.getByRole('button', { name: 'Edit' }).click();
      await h.viewOf(frame, 'Edit “acme legacy”');
      await frame.getByLabel('Name').fill('acme legacy v2');
      await frame.getByRole('button', { name: 'Save changes' }).click();
      await alert.waitFor();
      expect(await alert.textContent()).toContain('Rotate the secret first');
      expect((await h.held(id)).name).toBe('acme legacy');

      await frame.getByRole('button', { name: 'Cancel' }).click();
      await h.viewOf(frame, 'acme legacy');
      await frame.getByRole('button', { name: 'Rotate secret' }).click();
      await frame.locator('[data-rotated]').waitFor();
      await frame.getByRole('button', { name: 'Disable' }).click();
      await frame.getByRole('button', { name: 'Enable' }).waitFor();
      expect((await h.held(id)).active).toBe(false);
    });
  });
});
