import * as http from 'node:http';

const agent = new http.Agent({ keepAlive: true });

/** POSTs a JSON body over a keep-alive connection; resolves with the status code. */
export function post(target: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      target,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
