import { useCanWrite, usePortal } from './context';
import { Endpoint } from './Endpoint';
import { EndpointForm } from './EndpointForm';
import { Endpoints } from './Endpoints';

/**
 * The endpoint views (SPEC §13 "Endpoints"): the list, one endpoint, and its form. A
 * read-only session never gets the form, whatever its view says.
 */
export function EndpointViews() {
  const { view } = usePortal();
  const canWrite = useCanWrite();
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
