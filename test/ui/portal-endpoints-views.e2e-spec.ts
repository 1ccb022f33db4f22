import type { Frame } from 'playwright-core';
import { step } from '../support/browser';
import { SIGNING_SECRET, startPortalHarness, type PortalHarness } from '../helpers/portal';
import { until } from '../helpers/wait';

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

const STATS = '**/v1/stats/webhooks?*';

/**
 * The customer portal's endpoint views (SPEC §13 "Endpoints") framed by a page of another
 * site: success rates while they load and when they cannot be read, the pager, a read-only
 * session, a phone's width; no console error or CSP violation. What a session that writes
 * does: portal-endpoints.e2e-spec.ts. Each tenant here is one case's.
 */
describe('the customer portal’s endpoint views, framed by another site', () => {
  let h: PortalHarness;
  beforeAll(async () => {
    h = await startPortalHarness(['acme', 'hooli', 'initech', 'umbrella']);
  }, 300_000);
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => expect(h.browser.problems).toEqual([]));

  /** Holds the portal's success-rate requests until `release` is called. */
  const holdRates = async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const answered: Promise<void>[] = [];
    await h.page.route(STATS, (route) => {
      answered.push(released.then(() => route.continue()));
    });
    return async () => {
      release();
      await Promise.all(answered);
      await h.page.unroute(STATS);
    };
  };

  it('shows “…” for a success rate until it is read, never “no attempts”', async () => {
    await step(h.page, 'portal-endpoint-rate-loading', async () => {
      const id = await h.endpoint('acme loading');
      let release = await holdRates();
      const frame = await h.openPortal();
      const cell = frame.locator(`tr[data-endpoint-row="${id}"] td:nth-child(3)`);
      await cell.waitFor();
      expect(await cell.textContent()).toBe('…');
      expect(await cell.locator('[data-success-rate]').count()).toBe(0);
      await release();
      await cell.locator('[data-success-rate=""]').waitFor();
      expect(await cell.textContent()).toBe('no attempts');

      release = await holdRates();
      await frame.getByRole('button', { name: 'acme loading' }).click();
      await h.viewOf(frame, 'acme loading');
      const rate = frame.locator('.facts dd').nth(2);
      expect(await rate.textContent()).toBe('…');
      await release();
      await rate.locator('[data-success-rate=""]').waitFor();
    });
  });

  it('lists the endpoints when their success rates cannot be read, with “—” for each', async () => {
    await step(h.page, 'portal-endpoint-rate-gone', async () => {
      const kept = await h.endpoint('hooli kept', { tenant_id: 'hooli' });
      const gone = await h.endpoint('hooli gone', { tenant_id: 'hooli' });
      // Deleted between the list and its rates: the rates of the page are a 404.
      let deleted = 0;
      await h.page.route(STATS, async (route) => {
        deleted = (await h.api('DELETE', `/v1/webhooks/${gone}`)).status;
        await route.continue();
      });
      try {
        const frame = await h.openPortal({ tenant: 'hooli' });
        for (const id of [kept, gone]) {
          await frame
            .locator(`tr[data-endpoint-row="${id}"] [data-success-rate="unavailable"]`)
            .waitFor();
        }
        expect(deleted).toBe(204);
        expect(await frame.locator('[role="alert"]').count()).toBe(0);
      } finally {
        await h.page.unroute(STATS);
      }
    });
  });

  it('keeps focus on “Next page”, and moves it to “First page” on the last page', async () => {
    await step(h.page, 'portal-endpoint-pager', async () => {
      const names = Array.from({ length: 101 }, (_, i) => `initech ${String(i).padStart(3, '0')}`);
      for (let i = 0; i < names.length; i += 17) {
        await Promise.all(
          names.slice(i, i + 17).map((name) => h.endpoint(name, { tenant_id: 'initech' })),
        );
      }
      const frame = await h.openPortal({ tenant: 'initech' });
      const focused = (name: string) =>
        until(
          () =>
            frame.evaluate<boolean>(
              `document.activeElement?.textContent === ${JSON.stringify(name)}`,
            ),
          30_000,
          `focus on “${name}”`,
        );
      await frame.getByRole('button', { name: 'initech 049' }).waitFor();
      await frame.getByRole('button', { name: 'Next page →' }).click();
      await frame.getByRole('button', { name: 'initech 099' }).waitFor();
      await focused('Next page →');
      await frame.getByRole('button', { name: 'Next page →' }).click();
      await frame.getByRole('button', { name: 'initech 100' }).waitFor();
      await frame.getByText('End of the list').waitFor();
      await focused('← First page');
    });
  });

  it('shows a read-only session no control that writes, yet its secret on request', async () => {
    await step(h.page, 'portal-endpoint-read-only', async () => {
      const id = await h.endpoint('acme read');
      const frame = await h.openPortal({ readOnly: true });
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
      await h.viewOf(frame, 'acme read');
      await frame.locator('[data-success-rate]').waitFor();
      await noWriteControl();
      await frame.getByRole('button', { name: 'Reveal secret' }).click();
      expect(await frame.locator('[data-secret]').textContent()).toBe(SIGNING_SECRET);
      await noWriteControl();
    });
  });

  it('fits a phone’s width, light and dark, with a long name and URL', async () => {
    await step(h.page, 'portal-endpoint-phone', async () => {
      const name = `umbrella-${'x'.repeat(120)}`;
      const id = await h.endpoint(name, {
        tenant_id: 'umbrella',
        url: `${h.stack.receiver.url}/${'p'.repeat(300)}`,
      });
      await h.page.setViewportSize({ width: 390, height: 844 });
      const frame = await h.openPortal({ tenant: 'umbrella' });
      await h.page.evaluate("document.querySelector('iframe').width = '390'");
      await until(
        () => frame.evaluate<boolean>('document.documentElement.clientWidth === 390'),
        30_000,
        'the frame at 390 px',
      );
      /** Nothing wider than the frame: no sideways scrolling. */
      const fits = async (what: string) =>
        expect([
          what,
          await frame.evaluate<number>(
            'document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth',
          ),
        ]).toEqual([what, 0]);
      const open = async (f: Frame, button: string, title = button) => {
        await f.getByRole('button', { name: button }).click();
        await h.viewOf(f, title);
      };
      for (const scheme of ['light', 'dark'] as const) {
        await h.page.emulateMedia({ colorScheme: scheme });
        await frame.locator(`tr[data-endpoint-row="${id}"] [data-success-rate]`).waitFor();
        await fits(`the list, ${scheme}`);
        await open(frame, name);
        await frame.getByRole('button', { name: 'Reveal secret' }).click();
        await fits(`the endpoint, ${scheme}`);
        await frame.getByRole('button', { name: 'Delete…' }).click();
        await frame.getByRole('button', { name: 'Delete endpoint' }).waitFor();
        await fits(`the confirmation, ${scheme}`);
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
        await open(frame, 'Edit', `Edit “${name}”`);
        await fits(`the form, ${scheme}`);
        await open(frame, 'Cancel', name);
        await open(frame, '← All endpoints', 'Endpoints');
      }
      await h.page.emulateMedia({ colorScheme: null });
      await h.page.setViewportSize({ width: 1280, height: 800 });
    });
  });
});
