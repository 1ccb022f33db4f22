import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { unwrap } from '../api/client';
import { ErrorBox, useResource } from '../components';
import { Portal as PortalContext, type PortalView } from './context';
import { EndpointViews } from './EndpointViews';
import { onSessionExpired, portalApi, sessionToken, takeTokenFromAddress } from './session';
import '../styles.css';
import './portal.css';

// First of all: the token leaves the address bar before anything can read or send it.
takeTokenFromAddress();

/** The branding the service put on the page (POSTMAND_PORTAL_TITLE, _ACCENT): no inline script. */
const root = document.documentElement;
const title = root.dataset.portalTitle || 'Webhooks';
const accent = root.dataset.portalAccent;
// A CSSOM write, which the CSP allows (an inline style attribute it would not).
if (accent && /^#[0-9a-f]{6}$/i.test(accent)) root.style.setProperty('--accent', accent);

/** What the page shows once the API refuses the session, and nothing else. */
function Expired() {
  useEffect(() => {
    document.title = `Session expired · ${title}`;
  }, []);
  return (
    <main id="main" class="portal-expired">
      <h1>Session expired</h1>
      <p>Open the portal again from the application that sent you here.</p>
    </main>
  );
}

function Portal() {
  const [expired, setExpired] = useState(sessionToken() === null);
  const [view, setView] = useState<PortalView>({ page: 'endpoints' });
  useEffect(() => onSessionExpired(() => setExpired(true)), []);
  useEffect(() => {
    document.title = title;
  }, []);
  // Who the session is for, and whether it may write (GET /v1/portal/session).
  const session = useResource(
    () => (expired ? Promise.resolve(undefined) : unwrap(portalApi.GET('/v1/portal/session'))),
    [expired],
  );
  if (expired) return <Expired />;
  const info = session.data;
  const go = (next: PortalView) => {
    setView(next);
    window.scrollTo(0, 0);
  };
  return (
    <PortalContext.Provider value={{ session: info, view, go }}>
      <header class="portal-head">
        <span class="portal-title">{title}</span>
        {info ? (
          <span class="portal-tenant" data-tenant={info.tenant_id}>
            {info.tenant_name}
            {info.read_only ? <span class="portal-badge">Read-only</span> : null}
          </span>
        ) : null}
      </header>
      <main id="main">
        <ErrorBox error={session.error} />
        <EndpointViews />
      </main>
    </PortalContext.Provider>
  );
}

render(<Portal />, document.getElementById('app') as HTMLElement);
