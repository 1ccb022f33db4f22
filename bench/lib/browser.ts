import type { Page } from 'playwright-core';

/** One API request a page made, as Chromium timed it. */
export interface ApiTime {
  path: string;
  /** Request start → first response byte, in ms. */
  ms: number;
}

/**
 * Records every `/v1/` request the page makes from now on, with Chromium's request start →
 * first response byte (Playwright's timing of the request). `clear()` starts a new load.
 */
export function recordApiTimes(page: Page): { times: ApiTime[]; clear(): void } {
  const times: ApiTime[] = [];
  page.on('requestfinished', (request) => {
    const path = new URL(request.url()).pathname;
    if (!path.startsWith('/v1/')) return;
    const t = request.timing();
    times.push({ path, ms: t.responseStart - t.requestStart });
  });
  return { times, clear: () => void (times.length = 0) };
}

/**
 * The page's clock (ms since its navigation started) once the first element matching
 * `selector` is visible.
 */
export async function shownAt(page: Page, selector: string, timeoutMs = 30_000): Promise<number> {
  await page.locator(selector).first().waitFor({ timeout: timeoutMs });
  return page.evaluate<number>('performance.now()');
}

/** Navigates to `url`; navigation start → the first element matching `selector` visible, in ms. */
export async function timeToShown(page: Page, url: string, selector: string): Promise<number> {
  await page.goto(url);
  return shownAt(page, selector);
}

/** A request the document made, from its own Performance API. */
export interface ResourceTime {
  /** The request's query string (`?limit=50…`), or ''. */
  search: string;
  /** Request start → first response byte, in ms. */
  ms: number;
}

/**
 * From the page's own Performance API: each request the document made to `pathname` (any
 * query), in the order made.
 */
export function resourceTimes(page: Page, pathname: string): Promise<ResourceTime[]> {
  return page.evaluate(
    `performance.getEntriesByType('resource')
       .filter((e) => new URL(e.name).pathname === ${JSON.stringify(pathname)})
       .map((e) => ({ search: new URL(e.name).search, ms: e.responseStart - e.requestStart }))`,
  );
}
