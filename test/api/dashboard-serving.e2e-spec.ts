import * as fs from 'node:fs';
import * as path from 'node:path';
import { DASHBOARD_CSP, dashboardDir } from '../../apps/api/src/dashboard/dashboard';
import { ApiFixture } from '../helpers/api-fixture';

/** SPEC §10: /ui on the API port, from the service itself, under a CSP of its own. */
describe('the dashboard’s files at /ui', () => {
  const f = ApiFixture.use({ POSTMAND_AUTH: 'api_key' });
  const http = () => f.http();
  const index = fs.readFileSync(path.join(dashboardDir(), 'index.html'), 'utf8');
  const script = /<script type="module" crossorigin src="(\/ui\/assets\/[^"]+\.js)">/.exec(
    index,
  )?.[1];

  it('serves the page with its own CSP, uncached, without a key even when auth is on', async () => {
    const res = await http().get('/ui/').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toMatch(/default-src 'none'/);
    expect(DASHBOARD_CSP).not.toMatch(/unsafe|https?:|\*/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.text).toBe(index);
    // Nothing inline and nothing from elsewhere: every script and stylesheet is a file here.
    expect(script).toBeDefined();
    expect(index).not.toMatch(/<script(?![^>]*\bsrc="\/ui\/)/);
    expect(index).not.toMatch(/<style|\sstyle=|\son\w+=/i);
    expect(index).not.toMatch(/(src|href)="(?!\/ui\/)/);
    await http().get('/ui').expect(301).expect('Location', '/ui/');
  });

  it('answers every page path with the page, and assets with long caching', async () => {
    for (const page of ['/ui/webhooks', `/ui/deliveries/${'0'.repeat(8)}`, '/ui/events?after=x']) {
      const res = await http().get(page).expect(200);
      expect([page, res.text]).toEqual([page, index]);
    }
    const js = await http()
      .get(script as string)
      .expect(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-security-policy']).toBe(DASHBOARD_CSP);
  });

  it('gives a missing asset a 404 in the API’s error shape, not the page', async () => {
    for (const missing of ['/ui/assets/nope.js', '/ui/assets/x/y.css', '/uifoo', '/ui.html']) {
      await http().get(missing).expect(404, { code: 10, message: 'route not found' });
    }
  });

  it('leaves the API’s own CSP and access control as they were', async () => {
    const res = await http().get('/v1/webhooks').expect(401);
    expect(res.headers['content-security-policy']).toMatch(/^default-src 'none'; frame-ancestors/);
    await http()
      .post('/ui/')
      .expect((r) => expect([404, 405]).toContain(r.status));
  });
});
