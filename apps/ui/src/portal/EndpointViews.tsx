import { useEffect } from 'preact/hooks';
import { useCanWrite, usePortal, type PortalView } from './context';
import { Endpoint } from './Endpoint';
import { EndpointForm } from './EndpointForm';
import { Endpoints } from './Endpoints';

/** Whether the portal has shown a view yet: the first one takes no focus from the page. */
let shownOnce = false;

/**
 * Moves focus to the new view's heading (`#page-title`, tabIndex -1) whenever the view
 * changes, as the dashboard does on a new page, so that keyboard and screen reader users
 * follow; the first view of the page load leaves focus where the embedding page has it.
 */
export function useHeadingFocus(view: PortalView): void {
  const key = JSON.stringify(view);
  useEffect(() => {
    if (!shownOnce) {
      shownOnce = true;
      return;
    }
    document.getElementById('page-title')?.focus();
  }, [key]);
}

/**
 * The endpoint views (SPEC §13 "Endpoints"): the list, one endpoint, and its form. A
 * read-only session never gets the form, whatever its view says.
 */
export function EndpointViews() {
  const { view } = usePortal();
  const canWrite = useCanWrite();
  useHeadingFocus(view);
  switch (view.page) {
    case 'endpoints':
      return <Endpoints />;
    case 'endpoint':
      return <Endpoint key={view.id} id={view.id} />;
    case 'new-endpoint':
      return canWrite ? <EndpointForm /> : <Endpoints />;
    case 'edit-endpoint':
      return canWrite ? (
        <EndpointForm key={view.id} id={view.id} />
      ) : (
        <Endpoint key={view.id} id={view.id} />
      );
    case 'deliveries':
    case 'delivery':
      return null;
  }
}
