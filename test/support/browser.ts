import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`; .ci/run installs it). */
export const CHROMIUM = process.env.POSTMAND_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '../artifacts');

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
  /** Every URL the page requested. */
  requested: string[];
  close(): Promise<void>;
}

/**
 * Headless Chromium on a fresh profile, as root (`--no-sandbox`), nothing from outside; in
 * the machine's time zone unless `timezoneId` names another (an IANA name).
 * `handleSIGINT: false` leaves Ctrl-C to the caller: Playwright's own handler closes the
 * browser and exits the process at once, before the caller's clean-up (a bench's database).
 */
export async function openBrowser(
  viewport = { width: 1280, height: 800 },
  { handleSIGINT = true, timezoneId }: { handleSIGINT?: boolean; timezoneId?: string } = {},
): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (see .ci/run)`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'postmand-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    handleSIGINT,
    timezoneId,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  const requested: string[] = [];
  page.on('console', (m) => {
    // Chromium logs every 4xx the page handles itself (the key prompt, the API's
    // validation messages) as a failed resource; anything else is a problem.
    if (m.type() === 'error' && !/responded with a status of 4\d\d/.test(m.text())) {
      problems.push(m.text());
    }
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => requested.push(r.url()));
  return {
    context,
    page,
    problems,
    requested,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Runs one step; on failure saves a screenshot under test/artifacts/ before rethrowing. */
export async function step<T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `${name.replace(/[^\w.-]+/g, '-')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    if (err instanceof Error) err.message = `${name}: ${err.message}\n(screenshot: ${file})`;
    throw err;
  }
}
