import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig, readEnvironment } from './config';

describe('loadConfig', () => {
  it('applies the SPEC defaults', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toEqual({
      databaseUrl: undefined,
      databaseMaxOpenConns: 10,
      httpHost: '0.0.0.0',
      httpPort: 8000,
      healthCheckHttpPort: 8001,
      pollingInterval: 1000,
      retentionDays: 30,
      workerConcurrency: 100,
      workerMaxInFlightBytes: 67108864,
      maxPayloadBytes: 1048576,
      maxFanoutBytes: 1073741824,
      maxResponseBytes: 65536,
      idempotencyTtl: 86400,
      circuitFailures: 5,
      circuitMaxCooldown: 3600,
      disableAfter: 432000,
      logLevel: 'info',
      auth: 'none',
      eventTypes: 'open',
      blockPrivateNetworks: false,
      allowedNetworks: [],
      dataDir: '/srv/app/.postmand',
      dataDirIsDefault: true,
      publicUrl: undefined,
      allowedHosts: [],
      portal: { frameAncestors: [], title: 'Webhooks', accent: undefined },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        POSTMAND_DATABASE_URL: 'postgresql://u:p@db:5432/postmand?sslmode=disable',
        POSTMAND_DATABASE_MAX_OPEN_CONNS: '20',
        POSTMAND_HTTP_HOST: '127.0.0.1',
        POSTMAND_HTTP_PORT: '9000',
        POSTMAND_HEALTH_CHECK_HTTP_PORT: '9001',
        POSTMAND_POLLING_INTERVAL: '250',
        POSTMAND_WORKER_CONCURRENCY: '7',
        POSTMAND_WORKER_MAX_IN_FLIGHT_BYTES: '2097152',
        POSTMAND_MAX_PAYLOAD_BYTES: '2048',
        POSTMAND_MAX_FANOUT_BYTES: '4096',
        POSTMAND_MAX_RESPONSE_BYTES: '0',
        POSTMAND_IDEMPOTENCY_TTL: '60',
        POSTMAND_CIRCUIT_FAILURES: '3',
        POSTMAND_CIRCUIT_MAX_COOLDOWN: '120',
        POSTMAND_DISABLE_AFTER: '0',
        POSTMAND_LOG_LEVEL: 'DEBUG',
        POSTMAND_AUTH: 'api_key',
        POSTMAND_EVENT_TYPES: 'Registered',
        POSTMAND_BLOCK_PRIVATE_NETWORKS: 'true',
        POSTMAND_ALLOWED_NETWORKS: ' 10.0.0.0/8 ,fd00::/8,, 192.168.1.7',
        POSTMAND_DATA_DIR: 'var/db',
        POSTMAND_PUBLIC_URL: 'https://Hooks.Example.com/postmand/',
        POSTMAND_ALLOWED_HOSTS: ' postmand.ns , .Example.org,*,10.0.0.1,::1',
      },
      '/srv/app',
    );
    expect(config).toMatchObject({
      databaseUrl: 'postgresql://u:p@db:5432/postmand?sslmode=disable',
      databaseMaxOpenConns: 20,
      httpHost: '127.0.0.1',
      httpPort: 9000,
      healthCheckHttpPort: 9001,
      pollingInterval: 250,
      workerConcurrency: 7,
      workerMaxInFlightBytes: 2097152,
      maxPayloadBytes: 2048,
      maxFanoutBytes: 4096,
      maxResponseBytes: 0,
      idempotencyTtl: 60,
      circuitFailures: 3,
      circuitMaxCooldown: 120,
      disableAfter: 0,
      logLevel: 'debug',
      auth: 'api_key',
      eventTypes: 'registered',
      blockPrivateNetworks: true,
      allowedNetworks: [
        { network: '10.0.0.0', prefix: 8, family: 'ipv4' },
        { network: 'fd00::', prefix: 8, family: 'ipv6' },
        { network: '192.168.1.7', prefix: 32, family: 'ipv4' },
      ],
      dataDir: '/srv/app/var/db',
      dataDirIsDefault: false,
      publicUrl: 'https://hooks.example.com',
      allowedHosts: ['postmand.ns', '.example.org', '*', '10.0.0.1', '::1'],
    });
  });

  it('lists every bad variable by name in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        POSTMAND_DATABASE_URL: 'mysql://localhost/x',
        POSTMAND_HTTP_PORT: '80a',
        POSTMAND_WORKER_CONCURRENCY: '0',
        POSTMAND_LOG_LEVEL: 'loud',
        POSTMAND_POLLING_INTERVAL: '-5',
        POSTMAND_BLOCK_PRIVATE_NETWORKS: 'maybe',
        POSTMAND_AUTH: 'apikey',
        POSTMAND_EVENT_TYPES: 'strict',
        POSTMAND_ALLOWED_NETWORKS: '10.0.0.0/8,10.0.0.0/33',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'POSTMAND_DATABASE_URL',
      'POSTMAND_HTTP_PORT',
      'POSTMAND_WORKER_CONCURRENCY',
      'POSTMAND_LOG_LEVEL',
      'POSTMAND_POLLING_INTERVAL',
      'POSTMAND_BLOCK_PRIVATE_NETWORKS',
      'POSTMAND_AUTH',
      'POSTMAND_EVENT_TYPES',
      'POSTMAND_ALLOWED_NETWORKS',
    ]) {
      expect(problems).toContain(name);
    }
    expect((error as ConfigError).problems).toHaveLength(9);
  });

  it('takes an IP address or a host name to bind, nothing else', () => {
    expect(loadConfig({ POSTMAND_HTTP_HOST: '::1' }).httpHost).toBe('::1');
    expect(loadConfig({ POSTMAND_HTTP_HOST: 'localhost' }).httpHost).toBe('localhost');
    for (const bad of ['127.0.0.1:8000', 'http://127.0.0.1', 'a b', '-x']) {
      expect(() => loadConfig({ POSTMAND_HTTP_HOST: bad })).toThrow(
        /POSTMAND_HTTP_HOST: must be an IP address or a host name/,
      );
    }
  });

  it('takes a public URL as its origin, and allowed hosts without scheme or port', () => {
    for (const bad of ['hooks.example.com', 'ftp://hooks.example.com', 'https://', 'nope']) {
      expect(() => loadConfig({ POSTMAND_PUBLIC_URL: bad })).toThrow(
        /POSTMAND_PUBLIC_URL: must be an absolute http or https URL/,
      );
    }
    expect(loadConfig({ POSTMAND_PUBLIC_URL: 'http://[::1]:8000/ui' }).publicUrl).toBe(
      'http://[::1]:8000',
    );
    for (const bad of ['https://postmand', 'postmand:8000', 'a b', '*.example.com', '..x']) {
      expect(() => loadConfig({ POSTMAND_ALLOWED_HOSTS: `postmand,${bad}` })).toThrow(
        `POSTMAND_ALLOWED_HOSTS: must be host names without scheme or port, ".example.com" for a domain and every name under it, or "*", got "${bad}"`,
      );
    }
    expect(loadConfig({ POSTMAND_ALLOWED_HOSTS: ' , ' }).allowedHosts).toEqual([]);
  });

  it('takes the portal’s framing origins, title and accent colour, naming a bad one', () => {
    expect(
      loadConfig({
        POSTMAND_PORTAL_FRAME_ANCESTORS: ' https://App.example.com  http://localhost:3000 ',
        POSTMAND_PORTAL_TITLE: ' Acme webhooks ',
        POSTMAND_PORTAL_ACCENT: '#0A7CFF',
      }).portal,
    ).toEqual({
      frameAncestors: ['https://app.example.com', 'http://localhost:3000'],
      title: 'Acme webhooks',
      accent: '#0a7cff',
    });
    for (const [name, value] of [
      ['POSTMAND_PORTAL_FRAME_ANCESTORS', 'https://ok.example.com app.example.com'],
      ['POSTMAND_PORTAL_FRAME_ANCESTORS', 'https://a.example.com/path'],
      ['POSTMAND_PORTAL_FRAME_ANCESTORS', "https://*.example.com 'self'"],
      ['POSTMAND_PORTAL_FRAME_ANCESTORS', 'javascript://x'],
      ['POSTMAND_PORTAL_FRAME_ANCESTORS', 'https://a.com%3Bsandbox'],
      ['POSTMAND_PORTAL_FRAME_ANCESTORS', 'https://a.com%27self%27'],
      ['POSTMAND_PORTAL_FRAME_ANCESTORS', 'https://a.com%2Cb.com'],
      ['POSTMAND_PORTAL_ACCENT', 'blue'],
      ['POSTMAND_PORTAL_ACCENT', '#fff'],
    ]) {
      expect(() => loadConfig({ [name]: value })).toThrow(name);
    }
  });

  it('takes allowed networks as CIDRs, naming every bad one and why', () => {
    expect(() =>
      loadConfig({ POSTMAND_ALLOWED_NETWORKS: '127.0.0.0/8, 10.1.0.0/8,localhost,::1/129' }),
    ).toThrow(
      'POSTMAND_ALLOWED_NETWORKS: must be CIDRs such as 10.0.0.0/8 or fd00::/8, comma-separated, ' +
        'got "10.1.0.0/8": bits are set past the prefix (the range would be 10.0.0.0/8); ' +
        '"localhost": not an IP address; "::1/129": the prefix must be a number from 0 to 128',
    );
    expect(loadConfig({ POSTMAND_ALLOWED_NETWORKS: ' , ' }).allowedNetworks).toEqual([]);
  });

  it('rejects a database URL that does not parse', () => {
    expect(() => loadConfig({ POSTMAND_DATABASE_URL: 'not a url' })).toThrow(
      /POSTMAND_DATABASE_URL: is not a valid URL/,
    );
  });
});

describe('readEnvironment', () => {
  it('reads ./.env under the real environment, which wins', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postmand-env-'));
    fs.writeFileSync(
      path.join(dir, '.env'),
      'POSTMAND_HTTP_PORT=7000\nPOSTMAND_TEST_ONLY_FROM_FILE=file\nPATH=from-file\n',
    );
    try {
      const env = readEnvironment(dir, { POSTMAND_HTTP_PORT: '9999', PATH: '/real/bin' });
      expect(env.POSTMAND_HTTP_PORT).toBe('9999');
      expect(env.POSTMAND_TEST_ONLY_FROM_FILE).toBe('file');
      expect(env.PATH).toBe('/real/bin');
      expect(readEnvironment(dir, {}).POSTMAND_HTTP_PORT).toBe('7000');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
