import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import { ApiError } from '../errors/api-error';

/** Whether the handler reads its query string (a `@Query()` parameter). */
function readsQuery(context: ExecutionContext): boolean {
  const args = (Reflect.getMetadata(
    ROUTE_ARGS_METADATA,
    context.getClass(),
    context.getHandler().name,
  ) ?? {}) as Record<string, unknown>;
  return Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.QUERY));
}

/**
 * A write whose handler takes no query parameters refuses any it is given (code 4 naming
 * each), as a handler with a query DTO does: `POST /v1/deliveries/redeliver?dry_run=true`
 * put the dry run in the wrong place, and must not redeliver for real. Reads keep
 * ignoring them (a cache-busting `?_=…` harms nothing there).
 */
@Injectable()
export class QueryParamsGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (req.method === 'GET' || req.method === 'HEAD' || readsQuery(context)) return true;
    const names = Object.keys(req.query ?? {});
    if (names.length === 0) return true;
    throw ApiError.validation(names.map((name) => [name, 'is not a field of this request']));
  }
}
