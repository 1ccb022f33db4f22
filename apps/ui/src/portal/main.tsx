import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Endpoints } from './Endpoints';
import { onSessionExpired, sessionToken, takeTokenFromAddress } from './session';
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
  useEffect(() => onSessionExpired(() => setExpired(true)), []);
  useEffect(() => {
    document.title = title;
  }, []);
  if (expired) return <Expired />;
  return (
    <>
      <header class="portal-head">
        <span class="portal-title">{title}</span>
      </header>
      <main id="main">
        <Endpoints />
      </main>
    </>
  );
}

render(<Portal />, document.getElementById('app') as HTMLElement);
