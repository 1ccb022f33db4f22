import type { Page } from 'playwright-core';
import type { Browser } from '../../test/support/browser';
import { resourceTimes, shownAt, timeToShown } from '../lib/browser';
import { createPortalSession } from '../lib/portal-session';

const ENDPOINT_ROW = 'tr[data-endpoint-row]';
const DELIVERY_ROW = '[data-delivery-row]';
/** How long a loaded portal is given to show its "Deliveries" control before it counts as absent. */
const CONTROL_WAIT_MS = 5_000;

/** One run's figures, in ms; the deliveries' are absent when the build has no such view. */
export interface BrowserRun {
  /** Navigation start → the first endpoint row visible. */
  endpointsShown: number;
  /** The page's `GET /v1/webhooks`: request start → first byte (its Performance API). */
  endpointsApi: number;
  /** The click on "Deliveries" → the first delivery row visible. */
  deliveriesShown?: number;
  /** The page's `GET /v1/deliveries`: request start → first byte. */
  deliveriesApi?: number;
}

export interface BrowserFigures {
  /** Run by run; the first against a just-started server and a fresh browser profile. */
  runs: BrowserRun[];
  /** Whether this build's portal has the "Deliveries" control. */
  deliveriesView: boolean;
  /** The query of the portal's own first `GET /v1/deliveries` (its page size), if any. */
  deliveriesQuery?: string;
  /** Console errors, page errors and CSP violations the browser saw. */
  problems: string[];
}

/** The portal's nav control named exactly "Deliveries" (a button or a link). */
const deliveriesControl = (page: Page) =>
  page
    .getByRole('button', { name: 'Deliveries', exact: true })
    .or(page.getByRole('link', { name: 'Deliveries', exact: true }))
    .first();

/**
 * The click on the control → the first delivery row visible, both on the page's clock: the
 * click's time is taken by a capturing listener in the page, not by the bench's round trip.
 */
async function clickToRows(page: Page): Promise<number> {
  await page.evaluate(
    `addEventListener('click', () => { window.__benchClickAt = performance.now(); },
                      { capture: true, once: true })`,
  );
  await deliveriesControl(page).click();
  const shown = await shownAt(page, DELIVERY_ROW);
  const clickedAt = await page.evaluate<unknown>('window.__benchClickAt');
  if (typeof clickedAt !== 'number') throw new Error('"Deliveries" opened a new document');
  return shown - clickedAt;
}

/** The last request's time, from the page's Performance API; throws when none was made. */
async function lastRequestMs(page: Page, pathname: string): Promise<number> {
  const times = await resourceTimes(page, pathname);
  if (times.length === 0) throw new Error(`the portal made no request to ${pathname}`);
  return times[times.length - 1].ms;
}

/**
 * `runs` portal loads in Chromium against the server at `serverUrl`, each with a fresh
 * session of the tenant `pickTenant()` gives, from a blank page (a new document, so the
 * portal starts anew; the browser's cache stays warm after the first run).
 */
export async function measureBrowser(
  browser: Browser,
  serverUrl: string,
  runs: number,
  pickTenant: () => string,
): Promise<BrowserFigures> {
  const { page } = browser;
  const figures: BrowserFigures = { runs: [], deliveriesView: true, problems: browser.problems };
  for (let run = 0; run < runs; run++) {
    const session = await createPortalSession(serverUrl, pickTenant());
    await page.goto('about:blank');
    const endpointsShown = await timeToShown(page, session.url, ENDPOINT_ROW);
    const result: BrowserRun = {
      endpointsShown,
      endpointsApi: await lastRequestMs(page, '/v1/webhooks'),
    };
    if (run === 0) {
      figures.deliveriesView = await deliveriesControl(page)
        .waitFor({ timeout: CONTROL_WAIT_MS })
        .then(() => true)
        .catch(() => false);
    }
    if (figures.deliveriesView) {
      result.deliveriesShown = await clickToRows(page);
      const requests = await resourceTimes(page, '/v1/deliveries');
      if (requests.length === 0) throw new Error('the portal made no request to /v1/deliveries');
      figures.deliveriesQuery ??= requests[0].search;
      result.deliveriesApi = requests[requests.length - 1].ms;
    }
    figures.runs.push(result);
  }
  return figures;
}
