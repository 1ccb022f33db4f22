import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, onUnauthorized, storedKey, storeKey } from './api/client';
import { href, Link, useLocation, type Location } from './router';
import { Deliveries } from './pages/Deliveries';
import { Delivery } from './pages/Delivery';
import { EventType } from './pages/EventType';
import { EditEventType, NewEventType } from './pages/EventTypeForm';
import { EventTypes } from './pages/EventTypes';
import { Events } from './pages/Events';
import { Overview } from './pages/Overview';
import { Tenant, TenantEdit } from './pages/Tenant';
import { Tenants } from './pages/Tenants';
import { WebhookForm } from './pages/WebhookForm';
import { Webhooks } from './pages/Webhooks';
import './styles.css';

const NAV: [string, string][] = [
  ['/', 'Overview'],
  ['/webhooks', 'Webhooks'],
  ['/deliveries', 'Deliveries'],
  ['/events', 'Events'],
  ['/event-types', 'Event types'],
  ['/tenants', 'Tenants'],
];

/** A path part as it was written (a tenant id comes encoded). */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function route(location: Location) {
  const parts = location.path.split('/').filter(Boolean);
  switch (parts[0]) {
    case undefined:
      return <Overview />;
    case 'webhooks':
      if (parts[1] === 'new') {
        return <WebhookForm tenantId={location.query.get('tenant_id') ?? undefined} />;
      }
      if (parts[1]) return <WebhookForm key={parts[1]} id={parts[1]} />;
      return <Webhooks location={location} />;
    case 'deliveries':
      if (parts[1]) return <Delivery key={parts[1]} id={parts[1]} />;
      return <Deliveries location={location} />;
    case 'events':
      return <Events location={location} />;
    case 'event-types': {
      const name = parts[1] === undefined ? undefined : decoded(parts[1]);
      if (name === undefined) return <EventTypes location={location} />;
      if (parts[1] === '+new' && parts.length === 2) return <NewEventType />;
      if (parts[2] === 'edit') return <EditEventType key={name} name={name} />;
      return <EventType key={name} name={name} />;
    }
    case 'tenants': {
      const id = parts[1] === undefined ? undefined : decoded(parts[1]);
      if (id === undefined) return <Tenants location={location} />;
      if (parts[2] === 'edit') return <TenantEdit key={id} id={id} />;
      return <Tenant key={id} id={id} location={location} />;
    }
    default:
      return (
        <section class="page">
          <h1>Not found</h1>
          <p>
            Nothing lives at this address. <Link href={href('/')}>Go to the overview</Link>.
          </p>
        </section>
      );
  }
}

/** Asks for an API key (POSTMAND_AUTH=api_key) and keeps it in this tab's sessionStorage. */
function KeyPrompt({ onKey, refused }: { onKey: () => void; refused: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  const [checking, setChecking] = useState(false);
  const [wrong, setWrong] = useState(false);
  useEffect(() => input.current?.focus(), []);
  const submit = async (e: Event) => {
    e.preventDefault();
    const key = input.current?.value.trim() ?? '';
    if (!key) return;
    setChecking(true);
    storeKey(key);
    const { response } = await api.GET('/v1/stats').catch(() => ({ response: undefined }));
    setChecking(false);
    if (input.current) input.current.value = '';
    if (response?.status === 401) {
      setWrong(true);
      input.current?.focus();
    } else {
      onKey();
    }
  };
  return (
    <section class="page key-prompt" aria-labelledby="key-title">
      <h1 id="key-title">API key</h1>
      <p>
        This postmand requires an API key. Paste one made with <code>postmand api-key create</code>;
        it is kept for this browser tab only and sent as a bearer token.
      </p>
      {refused && !wrong ? (
        <p class="notice" role="status">
          The API refused the key this tab held (revoked or unknown); paste a valid one.
        </p>
      ) : null}
      {wrong ? (
        <div class="error" role="alert">
          That key was refused: it is unknown or revoked.
        </div>
      ) : null}
      <form class="form" onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="api-key">API key</label>
          <input
            id="api-key"
            ref={input}
            type="password"
            autocomplete="off"
            spellcheck={false}
            placeholder="pmk_…"
          />
        </div>
        <div class="actions">
          <button type="submit" class="primary" disabled={checking}>
            {checking ? 'Checking…' : 'Use this key'}
          </button>
        </div>
      </form>
    </section>
  );
}

function App() {
  const location = useLocation();
  const [needKey, setNeedKey] = useState(false);
  const [refused, setRefused] = useState(false);

  useEffect(
    () =>
      onUnauthorized((hadKey) => {
        if (hadKey) setRefused(true);
        setNeedKey(true);
      }),
    [],
  );

  // Moves focus to the new page's heading, so keyboard and screen reader users follow.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('page-title')?.focus();
  }, [location.path]);

  const section = '/' + (location.path.split('/')[1] ?? '');
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link class="brand" href={href('/')}>
          postmand
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([path, label]) => (
              <li key={path}>
                <Link href={href(path)} aria-current={section === path ? 'page' : undefined}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        {storedKey() !== null && !needKey ? (
          <button
            type="button"
            class="link forget"
            onClick={() => {
              storeKey(null);
              setRefused(false);
              setNeedKey(true);
            }}
          >
            Forget key
          </button>
        ) : null}
      </header>
      <main id="main">
        {needKey ? (
          <KeyPrompt
            refused={refused}
            onKey={() => {
              setNeedKey(false);
              setRefused(false);
            }}
          />
        ) : null}
        {/* Hidden, not unmounted, behind the prompt: a form being edited keeps its input,
            and what failed without a key loads again once one is stored. */}
        <div hidden={needKey}>{route(location)}</div>
      </main>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
