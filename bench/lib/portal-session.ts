/** A portal session as `POST /v1/tenants/{id}/portal-sessions` answers it (§12). */
export interface PortalSession {
  token: string;
  /** `<base>/portal#token=<token>`: the page that opens the portal with this session. */
  url: string;
}

/** Opens a portal session of `tenantId` on the server at `serverUrl` (a day long). */
export async function createPortalSession(
  serverUrl: string,
  tenantId: string,
): Promise<PortalSession> {
  const res = await fetch(`${serverUrl}/v1/tenants/${tenantId}/portal-sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ expires_in: 86400 }),
  });
  const body = (await res.json()) as PortalSession;
  if (res.status !== 201) throw new Error(`portal session answered ${res.status}`);
  return { token: body.token, url: body.url };
}
