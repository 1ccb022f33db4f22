import * as http from 'node:http';

const agent = new http.Agent({ keepAlive: true });

/**
 * POSTs a JSON body over a keep-alive connection, with `headers` besides its content type;
 * resolves with the status code.
 */
export function post(
  target: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      target,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json', ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
