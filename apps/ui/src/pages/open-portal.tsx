import { useState } from 'preact/hooks';
import { api, ApiFailure, unwrap } from '../api/client';
import { asFailure } from '../components';

/** How long the dashboard's own look at the portal lasts, in seconds. */
const PEEK_SECONDS = 900;

/**
 * "Open the portal as this tenant" (§13): a short read-only session, opened in a new tab.
 * The tab is opened at the click (a tab opened after an await is a pop-up the browser may
 * block), without an opener, and sent to the session's URL once it exists; the portal
 * takes the token out of its address at once.
 */
export function OpenPortalButton(props: {
  tenantId: string;
  onOpened: () => void;
  onError: (error: ApiFailure) => void;
}) {
  const [busy, setBusy] = useState(false);
  const open = async () => {
    const tab = window.open('', '_blank');
    if (!tab) {
      props.onError(new ApiFailure(0, undefined, 'the browser did not open a new tab'));
      return;
    }
    tab.opener = null;
    setBusy(true);
    try {
      const session = await unwrap(
        api.POST('/v1/tenants/{tenant_id}/portal-sessions', {
          params: { path: { tenant_id: props.tenantId } },
          body: { read_only: true, expires_in: PEEK_SECONDS },
        }),
      );
      tab.location.replace(session.url);
      props.onOpened();
    } catch (err) {
      tab.close();
      props.onError(asFailure(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" disabled={busy} onClick={() => void open()}>
      Open the portal as this tenant
    </button>
  );
}
