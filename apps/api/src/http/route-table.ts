import { Injectable, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';

interface Route {
  /** `/v1/webhooks/:id`, as Express and the metrics name it. */
  template: string;
  pattern: RegExp;
  methods: Set<string>;
}

function joinPath(...parts: string[]): string {
  return `/${parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/')}`;
}

function patternOf(template: string): RegExp {
  const escaped = template
    .split('/')
    .map((segment) =>
      segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

/**
 * Every path the API serves and the methods it serves there, read from the controllers'
 * own route metadata (what Nest registers with Express). It tells a 405 from a 404 and
 * names the route template of a request that never reached its handler (refused by the
 * body parser), so that metrics count it under its route.
 */
@Injectable()
export class RouteTable {
  private routes: Route[] | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  /**
   * For a path the API serves (with any method): the most specific route template and
   * every method served there (HEAD wherever GET is, as Express answers it).
   */
  match(path: string): { template: string; allow: string[] } | undefined {
    const routes = this.all().filter((r) => r.pattern.test(path));
    if (routes.length === 0) return undefined;
    const allow = new Set(routes.flatMap((r) => [...r.methods]));
    if (allow.has('GET')) allow.add('HEAD');
    return { template: routes[0].template, allow: [...allow].sort() };
  }

  private all(): Route[] {
    this.routes ??= this.read();
    return this.routes;
  }

  private read(): Route[] {
    const byTemplate = new Map<string, Route>();
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as { prototype: Record<string, unknown> } | null;
      if (!controller) continue;
      const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
      const prototype = controller.prototype;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as object;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        for (const one of Array.isArray(path) ? path : [path]) {
          const template = joinPath(base, one);
          const route = byTemplate.get(template) ?? {
            template,
            pattern: patternOf(template),
            methods: new Set<string>(),
          };
          route.methods.add(RequestMethod[method]);
          byTemplate.set(template, route);
        }
      }
    }
    // Literal segments before parameters: `/v1/deliveries/redeliver` before `/:id`.
    return [...byTemplate.values()].sort(
      (a, b) => a.template.split(':').length - b.template.split(':').length,
    );
  }
}
