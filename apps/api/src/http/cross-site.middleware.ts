import { isIP } from 'node:net';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { POSTMAND_CONFIG, type PostmandConfig } from '@app/platform';
import { ApiError } from '../errors/api-error';

/** The API's own paths (Express matches paths without regard to case). */
const API_PATH = /^\/v1(?:[/?#]|$)/i;

/** What a browser says of a request it sends on its own page's behalf, or the user's. */
const OWN_SITE = new Set(['same-origin', 'none']);

/**
 * Names under `.localhost`, which browsers resolve to loopback themselves (RFC 6761), so
 * no rebinding attacker can own them. Any other name (a Compose or Kubernetes service
 * name, an mDNS `.local` one that anyone on the network can answer for) is allowed only
 * when listed: §3 names IP literals, `localhost`, POSTMAND_PUBLIC_URL and
 * POSTMAND_ALLOWED_HOSTS, and nothing else.
 */
const PRIVATE_SUFFIXES = ['.localhost'];

/**
 * The path of a request target in absolute form (`POST http://host/v1/… HTTP/1.1`, which
 * Express routes by its path as any other); the target itself otherwise.
 */
function absolutePath(target: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return target;
  try {
    return new URL(target).pathname;
  } catch {
    return target;
  }
}

/** The host name of a `Host` header (`[::1]:8000` → `::1`), lower case, without a final dot. */
export function hostNameOf(host: string): string {
  const name = /^\[([^\]]+)\](?::\d*)?$/.exec(host)?.[1] ?? host.replace(/:\d*$/, '');
  return name.toLowerCase().replace(/\.$/, '');
}

/** `host:port` as the URL parser writes it (default port left out), lower case. */
function normalHost(scheme: string, host: string): string | undefined {
  try {
    return new URL(`${scheme}//${host}`).host;
  } catch {
    return undefined;
  }
}

/**
 * The browser guard of `/v1` (§3 "Browsers"): with `POSTMAND_AUTH=none` the API answers
 * anyone who reaches it, so a page on another site must not use it through a visitor's
 * browser. Refused with 403 code 15, before anything reads the request:
 * - a request the browser marks as sent on another site's behalf (`Sec-Fetch-Site`
 *   other than `same-origin` or `none`), or whose `Origin` is not the service's own (the
 *   request's own host, or POSTMAND_PUBLIC_URL's origin);
 * - a browser's request (it carries `Sec-Fetch-Site` or `Origin`) to a `Host` the service
 *   does not answer to: DNS rebinding, where the attacker's name resolves to this service
 *   and the page is "same-origin" with it. Allowed: IP literals, `localhost` (and names
 *   under `.localhost`), the host of POSTMAND_PUBLIC_URL and POSTMAND_ALLOWED_HOSTS.
 * Clients that are not browsers (curl, SDKs, other services, probes) send neither header
 * and are not affected, whatever name they reach the service by.
 */
@Injectable()
export class CrossSiteMiddleware implements NestMiddleware {
  private readonly publicHost: string | undefined;
  private readonly names = new Set<string>();
  private readonly suffixes: string[] = [...PRIVATE_SUFFIXES];
  private readonly anyHost: boolean;

  constructor(@Inject(POSTMAND_CONFIG) private readonly config: PostmandConfig) {
    this.publicHost = config.publicUrl === undefined ? undefined : new URL(config.publicUrl).host;
    if (this.publicHost !== undefined) this.names.add(hostNameOf(this.publicHost));
    for (const entry of config.allowedHosts) {
      if (entry.startsWith('.')) this.suffixes.push(entry);
      else this.names.add(hostNameOf(entry.includes(':') ? `[${entry}]` : entry));
    }
    this.anyHost = config.allowedHosts.includes('*');
  }

  use(req: Request, _res: Response, next: NextFunction): void {
    // originalUrl: where Nest mounts middleware, `req.path` is relative to the mount.
    if (!API_PATH.test(req.originalUrl) && !API_PATH.test(absolutePath(req.originalUrl))) {
      return next();
    }
    const problem = this.problem(req);
    next(problem === undefined ? undefined : new ApiError('forbidden', problem));
  }

  /** Why the request is refused, or undefined. */
  private problem(req: Request): string | undefined {
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    if (site === undefined && origin === undefined) return undefined;
    if (site !== undefined && !OWN_SITE.has(site.toLowerCase())) {
      return "a browser request on another site's behalf (Sec-Fetch-Site) is refused: call the API from its own pages, or from a server";
    }
    const host = req.headers.host;
    if (host === undefined || !this.allowsHost(hostNameOf(host))) {
      return 'a browser request to a host name this service does not answer to is refused (DNS rebinding); add the name to POSTMAND_ALLOWED_HOSTS or set POSTMAND_PUBLIC_URL';
    }
    if (origin !== undefined && !this.isOwnOrigin(origin, host)) {
      return 'a browser request from another origin is refused: call the API from its own pages, or from a server';
    }
    return undefined;
  }

  private allowsHost(name: string): boolean {
    return (
      this.anyHost ||
      isIP(name) !== 0 ||
      name === 'localhost' ||
      this.names.has(name) ||
      this.suffixes.some((suffix) => name.endsWith(suffix) || name === suffix.slice(1))
    );
  }

  /** An Origin of this service: its scheme and host are the request's own, or the public URL's. */
  private isOwnOrigin(origin: string, host: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // `null` (a sandboxed frame, a file) included
    }
    if (url.origin === 'null') return false;
    if (this.config.publicUrl !== undefined && url.origin === this.config.publicUrl) return true;
    // The scheme is not checked against the request's: behind a TLS proxy it is http.
    return normalHost(url.protocol, host) === url.host;
  }
}
