import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from '../support/browser';
import { startStack, type Stack, type StackOptions } from './system';

/** A `postmand server` (no worker) and Debian's Chromium on a page, for a dashboard suite. */
export interface DashboardStack {
  stack: Stack;
  browser: Browser;
  page: Page;
  /** The dashboard's base URL. */
  ui: string;
}

/**
 * Starts the stack and the browser before the suite's tests and stops them after, as
 * hooks of the calling `describe`; the fields are there from its first test on. Each of
 * the page's waits has a deadline generous for a busy machine.
 */
export function useDashboardStack(env: StackOptions['env'] = {}): DashboardStack {
  const dashboard = {} as DashboardStack;
  beforeAll(async () => {
    dashboard.stack = await startStack({ worker: false, env });
    dashboard.ui = `${dashboard.stack.server.apiUrl}/ui`;
    dashboard.browser = await openBrowser();
    dashboard.page = dashboard.browser.page;
    dashboard.page.setDefaultTimeout(60_000);
  }, 300_000);
  afterAll(async () => {
    await dashboard.browser?.close();
    await dashboard.stack?.stop();
  });
  return dashboard;
}
