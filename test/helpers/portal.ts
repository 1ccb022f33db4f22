import type { Frame, Page } from 'playwright-core';
import { call, createWebhook, startStack, type JsonResponse, type StackWithWorker } from './system';
import { eventually, until } from './wait';
import { openBrowser, type Browser } from '../support/browser';
import { startEmbedder, type Embedder } from '../support/embedder';

/**
 * The customer portal framed by a page of another site (`localhost`, while the API is
 * `127.0.0.1`) against the real `postmand server` and worker, in Debian's Chromium: what
 * each of the portal's browser tests starts with, in its own beforeAll.
 */
export interface PortalHarness {
  stack: StackWithWorker;
  embedder: Embedder;
  browser: Browser;
  page: Page;
  /** The API with the admin key's rights. */
  api(method: string, path: string, body?: unknown): Promise<JsonResponse>;
  /**
   * An endpoint named `name`, of acme and signed with SIGNING_SECRET unless `fields` say
   * otherwise, made through the API; its id.
   */
  endpoint(name: string, fields?: Record<string, unknown>): Promise<string>;
  /** A webhook as the API holds it now. */
  held(id: string): Promise<Record<string, unknown>>;
  /** Opens the portal in the embedder's frame with a new session of `tenant`. */
  openPortal(options?: { readOnly?: boolean; tenant?: string }): Promise<Frame>;
  /** Opens the portal, then the endpoint named `name` from its list. */
  openEndpoint(name: string, options?: { readOnly?: boolean }): Promise<Frame>;
  /** Waits for the view titled `name`, and for focus to reach its heading. */
  viewOf(frame: Frame, name: string): Promise<void>;
  close(): Promise<void>;
}

/** The secret of the endpoints `endpoint` makes. */
export const SIGNING_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

export async function startPortalHarness(
  tenants = ['acme'],
  /** More settings for both processes (a log level, say). */
  env: Record<string, string> = {},
): Promise<PortalHarness> {
  const embedder = await startEmbedder('localhost');
  const stack = await startStack({
    env: { POSTMAND_PORTAL_FRAME_ANCESTORS: embedder.origin, ...env },
    // A tenant's endpoint reaches public addresses only (SPEC §16), but for the receiver's.
    worker: { POSTMAND_ALLOWED_NETWORKS: '127.0.0.1/32' },
  });
  const browser = await openBrowser();
  const page = browser.page;
  page.setDefaultTimeout(60_000);
  const api = (method: string, path: string, body?: unknown) =>
    call(stack.server.apiUrl, method, path, body, 60_000);
  for (const tenant of tenants) {
    const made = await api('PUT', `/v1/tenants/${tenant}`, {});
    if (made.status !== 201) throw new Error(`tenant ${tenant}: ${JSON.stringify(made)}`);
  }

  const viewOf = async (frame: Frame, name: string): Promise<void> => {
    await frame.getByRole('heading', { level: 1, name }).waitFor();
    await until(
      () => frame.evaluate<boolean>("document.activeElement?.id === 'page-title'"),
      30_000,
      `focus on the heading of “${name}”`,
    );
  };
  const openPortal: PortalHarness['openPortal'] = async (options = {}) => {
    const session = await api('POST', `/v1/tenants/${options.tenant ?? 'acme'}/portal-sessions`, {
      read_only: options.readOnly ?? false,
    });
    if (session.status !== 201) throw new Error(`no portal session: ${JSON.stringify(session)}`);
    embedder.frameSrc = session.body.url;
    await page.goto(`${embedder.origin}/`);
    const frame = await eventually(
      () => page.frames().find((f) => f !== page.mainFrame()),
      30_000,
      'the portal’s frame',
    );
    await frame.getByRole('heading', { name: 'Endpoints' }).waitFor();
    return frame;
  };
  return {
    stack,
    embedder,
    browser,
    page,
    api,
    endpoint: (name, fields = {}) =>
      createWebhook(stack.server.apiUrl, `${stack.receiver.url}/${name.replace(/\W/g, '-')}`, {
        name,
        tenant_id: 'acme',
        secret_token: SIGNING_SECRET,
        ...fields,
      }),
    held: async (id) => (await api('GET', `/v1/webhooks/${id}`)).body,
    openPortal,
    openEndpoint: async (name, options) => {
      const frame = await openPortal(options);
      await frame.getByRole('button', { name, exact: true }).click();
      await viewOf(frame, name);
      return frame;
    },
    viewOf,
    close: async () => {
      await browser.close();
      await stack.stop();
      await embedder.close();
    },
  };
}
