import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { unwrap } from '../api/client';
import { ErrorBox, useResource } from '../components';
import { Portal as PortalContext, type PortalView } from './context';
import { Deliveries } from './Deliveries';
import { Delivery } from './Delivery';
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

/**
 * The view's page, picked by `view.page`. `visit` moves with each click in the nav bar: the
 * view then opens afresh (its endpoints loaded again), even when it is the one shown.
 */
function View({ view, visit }: { view: PortalView; visit: number }) {
  switch (view.page) {
    case 'deliveries':
      // Not keyed on the filter: the form (and focus on Apply or Clear) stays, and the list
      // inside is keyed on it, so a new filter starts from its first page.
      return <Deliveries key={visit} view={view} />;
    case 'delivery':
      return <Delivery key={view.id} id={view.id} back={view.back} />;
    case 'endpoints':
    case 'endpoint':
    case 'new-endpoint':
    case 'edit-endpoint':
      return <EndpointViews />;
  }
}

const SECTIONS = [
  {
    label: 'Endpoints',
    view: { page: 'endpoints' },
    pages: ['endpoints', 'endpoint', 'new-endpoint', 'edit-endpoint'],
  },
  { label: 'Deliveries', view: { page: 'deliveries' }, pages: ['deliveries', 'delivery'] },
] satisfies { label: string; view: PortalView; pages: PortalView['page'][] }[];

/** The portal's sections; the current one says so (`aria-current`). */
function Nav({ view, go }: { view: PortalView; go: (view: PortalView) => void }) {
  return (
    <nav class="portal-nav" aria-label="Portal">
      <ul>
        {SECTIONS.map((s) => (
          <li key={s.label}>
            <button
              type="button"
              aria-current={(s.pages as string[]).includes(view.page) ? 'page' : undefined}
              onClick={() => go(s.view)}
            >
              {s.label}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Portal() {
  const [expired, setExpired] = useState(sessionToken() === null);
  const [view, setView] = useState<PortalView>({ page: 'endpoints' });
  const [visit, setVisit] = useState(0);
  useEffect(() => onSessionExpired(() => setExpired(true)), []);
  // Moves focus to a new view's heading, so keyboard and screen reader users follow (a
  // new filter or page of the same list leaves it where it is).
  const where = view.page + ('id' in view ? `:${view.id}` : '');
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('page-title')?.focus();
  }, [where]);
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
      <Nav
        view={view}
        go={(next) => {
          setVisit((n) => n + 1);
          go(next);
        }}
      />
      <main id="main">
        <ErrorBox error={session.error} />
        <View view={view} visit={visit} />
      </main>
    </PortalContext.Provider>
  );
}

render(<Portal />, document.getElementById('app') as HTMLElement);
