import { chromium } from 'playwright-core';
(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => console.log('console', m.type(), m.text()));
  page.on('pageerror', (e) => console.log('pageerror', e.message));
  for (const p of process.argv.slice(2)) {
    await page.goto(`http://127.0.0.1:8100/ui${p}`);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `/tmp/shot${p.replace(/\W/g, '_')}.png`, fullPage: true });
  }
  await browser.close();
})();
