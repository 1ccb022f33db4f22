import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Another site's page that embeds whatever `frameSrc` says in an iframe. */
export interface Embedder {
  origin: string;
  frameSrc: string;
  /** The iframe's `allow` (permissions policy), such as `clipboard-write`; none when empty. */
  frameAllow: string;
  close(): Promise<void>;
}

export async function startEmbedder(host: string): Promise<Embedder> {
  const embedder = { frameSrc: 'about:blank', frameAllow: '' } as Embedder;
  const server = http.createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    // The src is the server's to know (as a platform's backend would), never in this URL.
    const allow = embedder.frameAllow ? ` allow="${embedder.frameAllow}"` : '';
    res.end(
      `<!doctype html><title>Platform</title><h1>Our app</h1>` +
        `<iframe title="Webhooks portal" width="1000" height="600"${allow} src="${embedder.frameSrc}"></iframe>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  embedder.origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  embedder.close = () => new Promise((resolve) => server.close(() => resolve()));
  return embedder;
}
