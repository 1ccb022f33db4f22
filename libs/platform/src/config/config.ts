import * as fs from 'node:fs';
import { isIP } from 'node:net';
import * as path from 'node:path';
import * as dotenv from 'dotenv';
import { parseCidr, type Cidr } from './cidr';
import { readPortalConfig, type PortalConfig } from './portal-config';

/** Injection token of the validated {@link PostmandConfig}. */
export const POSTMAND_CONFIG = 'POSTMAND_CONFIG';

/** pino's levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** POSTMAND_AUTH (§9): the API open to anyone who reaches it, or bearer API keys. */
export const AUTH_MODES = ['none', 'api_key'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/**
 * POSTMAND_EVENT_TYPES (§14): `open`, any valid name may be published; `registered`, only
 * a type in the catalogue.
 */
export const EVENT_TYPE_MODES = ['open', 'registered'] as const;
export type EventTypeMode = (typeof EVENT_TYPE_MODES)[number];

/** Every POSTMAND_* setting (docs/operations.md "Configuration"), validated and typed. The only reader of `process.env`. */
export interface PostmandConfig {
  /** Unset means "start an embedded PostgreSQL" (only the `all` command does). */
  databaseUrl: string | undefined;
  databaseMaxOpenConns: number;
  /** Address the API and health servers bind: 0.0.0.0 (every interface) by default. */
  httpHost: string;
  httpPort: number;
  healthCheckHttpPort: number;
  /** Milliseconds between polls when nothing wakes the worker. */
  pollingInterval: number;
  workerConcurrency: number;
  /** Payload bytes a worker holds in flight at most (it claims less beyond). */
  workerMaxInFlightBytes: number;
  maxPayloadBytes: number;
  /** Most bytes one event may fan out to: its payload's size × the webhooks it matches. */
  maxFanoutBytes: number;
  maxResponseBytes: number;
  /** Seconds an Idempotency-Key's response is kept and replayed (§6). */
  idempotencyTtl: number;
  /** Consecutive failed attempts that open a webhook's circuit (§7). */
  circuitFailures: number;
  /** Longest cool-off of an open circuit, in seconds (it starts at 30 and doubles). */
  circuitMaxCooldown: number;
  /** Seconds of failing without a success after which a webhook is disabled; 0 = never. */
  disableAfter: number;
  /** Days attempts, finished deliveries and cleaned events are kept (§8); 0 = forever. */
  retentionDays: number;
  logLevel: LogLevel;
  /** `api_key`: every /v1 request needs `Authorization: Bearer pmk_…` (§9). */
  auth: AuthMode;
  /** `registered`: an event of a type not in the catalogue is refused (§14). */
  eventTypes: EventTypeMode;
  /**
   * Refuse delivery targets in loopback, private, link-local or metadata ranges, for the
   * platform's own webhooks (a tenant's always are, §16).
   */
  blockPrivateNetworks: boolean;
  /** Ranges the private-network guard lets through, for every webhook (§16). */
  allowedNetworks: Cidr[];
  /** Absolute path of the embedded database folder. */
  dataDir: string;
  /** True when POSTMAND_DATA_DIR was not set and the default is in use. */
  dataDirIsDefault: boolean;
  /**
   * The address users reach the service at (`https://hooks.example.com`), as an origin: a
   * browser's request from it, or to its host, is the service's own.
   */
  publicUrl: string | undefined;
  /**
   * More host names a browser may reach the API by (DNS rebinding guard), lower case: a
   * name, `.example.com` for it and every name under it, or `*` for any host.
   */
  allowedHosts: string[];
  /** The customer portal's framing and branding (§13). */
  portal: PortalConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

interface IntRule {
  name: string;
  fallback: number;
  min: number;
  max: number;
}

function readInt(env: Env, rule: IntRule, problems: string[]): number {
  const raw = env[rule.name]?.trim();
  if (raw === undefined || raw === '') return rule.fallback;
  if (!/^\d+$/.test(raw)) {
    problems.push(`${rule.name}: must be a whole number, got "${raw}"`);
    return rule.fallback;
  }
  const value = Number(raw);
  if (value < rule.min || value > rule.max) {
    problems.push(`${rule.name}: must be between ${rule.min} and ${rule.max}, got ${raw}`);
    return rule.fallback;
  }
  return value;
}

function readBoolean(env: Env, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  problems.push(`${name}: must be true or false, got "${env[name]?.trim()}"`);
  return fallback;
}

/** An IP address or a host name to resolve; a typo would otherwise bind nowhere useful. */
function readHost(env: Env, problems: string[]): string {
  const raw = env.POSTMAND_HTTP_HOST?.trim();
  if (!raw) return '0.0.0.0';
  if (
    isIP(raw) !== 0 ||
    /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(raw)
  ) {
    return raw;
  }
  problems.push(`POSTMAND_HTTP_HOST: must be an IP address or a host name, got "${raw}"`);
  return '0.0.0.0';
}

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/i;

/** POSTMAND_PUBLIC_URL: an absolute http(s) URL, kept as its origin. */
function readPublicUrl(env: Env, problems: string[]): string | undefined {
  const raw = env.POSTMAND_PUBLIC_URL?.trim();
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') {
      return url.origin;
    }
  } catch {
    // Reported below.
  }
  problems.push(
    `POSTMAND_PUBLIC_URL: must be an absolute http or https URL such as https://hooks.example.com, got "${raw}"`,
  );
  return undefined;
}

/** POSTMAND_ALLOWED_HOSTS: comma-separated names, `.suffix` names or `*`. */
function readAllowedHosts(env: Env, problems: string[]): string[] {
  const entries = (env.POSTMAND_ALLOWED_HOSTS ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '');
  const bad = entries.filter(
    (e) => e !== '*' && !HOST_NAME.test(e.startsWith('.') ? e.slice(1) : e) && isIP(e) === 0,
  );
  if (bad.length > 0) {
    problems.push(
      `POSTMAND_ALLOWED_HOSTS: must be host names without scheme or port, ".example.com" for a domain and every name under it, or "*", got ${bad.map((e) => `"${e}"`).join(', ')}`,
    );
  }
  return entries;
}

/** POSTMAND_ALLOWED_NETWORKS: comma-separated CIDRs (or single addresses), IPv4 or IPv6. */
function readAllowedNetworks(env: Env, problems: string[]): Cidr[] {
  const ranges: Cidr[] = [];
  const bad: string[] = [];
  for (const entry of (env.POSTMAND_ALLOWED_NETWORKS ?? '').split(',')) {
    const text = entry.trim();
    if (text === '') continue;
    const range = parseCidr(text);
    if (typeof range === 'string') bad.push(`"${text}": ${range}`);
    else ranges.push(range);
  }
  if (bad.length > 0) {
    problems.push(
      `POSTMAND_ALLOWED_NETWORKS: must be CIDRs such as 10.0.0.0/8 or fd00::/8, comma-separated, got ${bad.join('; ')}`,
    );
  }
  return ranges;
}

function readDatabaseUrl(env: Env, problems: string[]): string | undefined {
  const raw = env.POSTMAND_DATABASE_URL?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push('POSTMAND_DATABASE_URL: is not a valid URL');
    return undefined;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    problems.push(
      `POSTMAND_DATABASE_URL: must start with postgres:// or postgresql://, got ${url.protocol}//`,
    );
    return undefined;
  }
  return raw;
}

/**
 * Validates every variable at once so that an operator sees all mistakes in one go.
 * `env` defaults to the process environment merged over the `.env` file of `cwd`.
 */
export function loadConfig(env: Env = readEnvironment(), cwd = process.cwd()): PostmandConfig {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number =>
    readInt(env, { name, fallback, min, max }, problems);

  const logLevel = (env.POSTMAND_LOG_LEVEL?.trim() || 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`POSTMAND_LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const dataDirRaw = env.POSTMAND_DATA_DIR?.trim();
  const auth = (env.POSTMAND_AUTH?.trim() || 'none').toLowerCase();
  if (!(AUTH_MODES as readonly string[]).includes(auth)) {
    problems.push(`POSTMAND_AUTH: must be one of ${AUTH_MODES.join(', ')}, got "${auth}"`);
  }
  const eventTypes = (env.POSTMAND_EVENT_TYPES?.trim() || 'open').toLowerCase();
  if (!(EVENT_TYPE_MODES as readonly string[]).includes(eventTypes)) {
    problems.push(
      `POSTMAND_EVENT_TYPES: must be one of ${EVENT_TYPE_MODES.join(', ')}, got "${eventTypes}"`,
    );
  }

  const config: PostmandConfig = {
    databaseUrl: readDatabaseUrl(env, problems),
    databaseMaxOpenConns: int('POSTMAND_DATABASE_MAX_OPEN_CONNS', 10, 1, 1000),
    httpHost: readHost(env, problems),
    httpPort: int('POSTMAND_HTTP_PORT', 8000, 0, 65535),
    healthCheckHttpPort: int('POSTMAND_HEALTH_CHECK_HTTP_PORT', 8001, 0, 65535),
    pollingInterval: int('POSTMAND_POLLING_INTERVAL', 1000, 10, 3_600_000),
    workerConcurrency: int('POSTMAND_WORKER_CONCURRENCY', 100, 1, 10_000),
    workerMaxInFlightBytes: int(
      'POSTMAND_WORKER_MAX_IN_FLIGHT_BYTES',
      64 * 1_048_576,
      1_048_576,
      64 * 1_073_741_824,
    ),
    maxPayloadBytes: int('POSTMAND_MAX_PAYLOAD_BYTES', 1_048_576, 1, 256 * 1_048_576),
    maxFanoutBytes: int('POSTMAND_MAX_FANOUT_BYTES', 1_073_741_824, 1, 1_099_511_627_776),
    maxResponseBytes: int('POSTMAND_MAX_RESPONSE_BYTES', 65_536, 0, 64 * 1_048_576),
    idempotencyTtl: int('POSTMAND_IDEMPOTENCY_TTL', 86_400, 1, 365 * 86_400),
    circuitFailures: int('POSTMAND_CIRCUIT_FAILURES', 5, 1, 1000),
    circuitMaxCooldown: int('POSTMAND_CIRCUIT_MAX_COOLDOWN', 3600, 30, 7 * 86_400),
    disableAfter: int('POSTMAND_DISABLE_AFTER', 432_000, 0, 365 * 86_400),
    retentionDays: int('POSTMAND_RETENTION_DAYS', 30, 0, 36_500),
    logLevel: logLevel as LogLevel,
    auth: auth as AuthMode,
    eventTypes: eventTypes as EventTypeMode,
    blockPrivateNetworks: readBoolean(env, 'POSTMAND_BLOCK_PRIVATE_NETWORKS', false, problems),
    allowedNetworks: readAllowedNetworks(env, problems),
    dataDir: path.resolve(cwd, dataDirRaw || '.postmand'),
    dataDirIsDefault: !dataDirRaw,
    publicUrl: readPublicUrl(env, problems),
    allowedHosts: readAllowedHosts(env, problems),
    portal: readPortalConfig(env, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The `.env` file of the working directory under the real environment (which wins). */
export function readEnvironment(cwd = process.cwd(), real: Env = process.env): Env {
  const file = path.join(cwd, '.env');
  const fromFile = fs.existsSync(file) ? dotenv.parse(fs.readFileSync(file)) : {};
  return { ...fromFile, ...real };
}
