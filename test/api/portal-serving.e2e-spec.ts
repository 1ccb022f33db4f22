import * as fs from 'node:fs';
import * as path from 'node:path';
import { DASHBOARD_CSP, dashboardDir } from '../../apps/api/src/dashboard/dashboard';
import { portalDir } from '../../apps/api/src/portal/portal-page';
import { ApiFixture } from '../helpers/api-fixture';

const built = fs.readFileSync(path.join(portalDir(), 'index.html'), 'utf8');

/** SPEC §13: /portal on the API port, the front end's second page, under a CSP of its own. */
describe('the portal’s page at /portal, framed by no one by default', () => {
  const f = ApiFixture.use({ POSTMAND_AUTH: 'api_key' });
  const http = () => f.http();

  it('serves the page with its own CSP, uncached, unframeable, without a key', async () => {
    for (const url of ['/portal', '/portal/', '/PORTAL']) {
      const res = await http().get(url).expect(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      const csp = res.headers['content-security-policy'];
      expect(csp).toMatch(/default-src 'none'; script-src 'self'; style-src 'self';/);
      expect(csp).toMatch(/; frame-ancestors 'none'$/);
      expect(csp).not.toMatch(/unsafe|https?:|\*/);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).toContain('<html lang="en" data-portal-title="Webhooks">');
      expect(res.text).toContain('<title>Webhooks</title>');
      // Nothing inline and nothing from elsewhere: every script and stylesheet is a file here.
      expect(res.text).toMatch(/<script type="module" crossorigin src="\/ui\/assets\/[^"]+\.js">/);
      expect(res.text).not.toMatch(/<script(?![^>]*\bsrc="\/ui\/)/);
      expect(res.text).not.toMatch(/<style|\sstyle=|\son\w+=/i);
      expect(res.text).not.toMatch(/(src|href)="(?!\/ui\/)/);
    }
    expect(built).not.toContain('data-portal-title');
  });

  it('answers nothing else under /portal, and leaves /ui and /v1 as they were', async () => {
    for (const missing of ['/portal/x', '/portal.html', '/portalx']) {
      await http().get(missing).expect(404, { code: 10, message: 'route not found' });
    }
    // Under /ui, a path that is no file is the dashboard's own page, never the portal's.
    const stray = await http().get('/ui/portal.html').expect(200);
    expect(stray.text).toBe(fs.readFileSync(path.join(dashboardDir(), 'index.html'), 'utf8'));
    const ui = await http().get('/ui/').expect(200);
    expect(ui.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(ui.headers['x-frame-options']).toBe('DENY');
  });
});

describe('the portal’s page with POSTMAND_PORTAL_FRAME_ANCESTORS and branding', () => {
  const f = ApiFixture.use({
    POSTMAND_PORTAL_FRAME_ANCESTORS: 'https://app.example.com  http://127.0.0.1:3000',
    POSTMAND_PORTAL_TITLE: 'Acme <webhooks> & "more"',
    POSTMAND_PORTAL_ACCENT: '#0A7CFF',
  });
  const http = () => f.http();

  it('lets exactly those origins frame /portal, sending no X-Frame-Options there', async () => {
    const res = await http().get('/portal').expect(200);
    expect(res.headers['content-security-policy']).toMatch(
      /; frame-ancestors https:\/\/app\.example\.com http:\/\/127\.0\.0\.1:3000$/,
    );
    expect(res.headers['x-frame-options']).toBeUndefined();
    for (const other of ['/ui/', '/v1/webhooks', '/portal/x']) {
      const r = await http().get(other);
      expect([other, r.headers['x-frame-options']]).toEqual([other, 'DENY']);
      expect(r.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    }
  });

  it('puts the title and accent in the page as escaped text and attributes', async () => {
    const res = await http().get('/portal').expect(200);
    const escaped = 'Acme &lt;webhooks&gt; &amp; &quot;more&quot;';
    expect(res.text).toContain(
      `<html lang="en" data-portal-title="${escaped}" data-portal-accent="#0a7cff">`,
    );
    expect(res.text).toContain(`<title>${escaped}</title>`);
  });
});
