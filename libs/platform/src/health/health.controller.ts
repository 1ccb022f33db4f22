import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import {
  HealthCheckService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import type { Response } from 'express';
import { Registry } from 'prom-client';
import { DatabaseHealthIndicator } from './database.health';

/**
 * Readiness checks the process contributes: the schema is current, and for a worker its
 * dispatcher runs.
 */
export const READINESS_CHECKS = 'READINESS_CHECKS';

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly registry: Registry,
    @Inject(READINESS_CHECKS) private readonly readinessChecks: HealthIndicatorFunction[],
  ) {}

  /** The Go project's probe: 200 `{"success":true}` when the database answers, else 503. */
  @Get('healthz')
  healthz(@Res() res: Response): Promise<void> {
    return this.respond(res, [() => this.database.ping()]);
  }

  /** Kubernetes liveness: the event loop turns. No I/O, so a slow database never kills pods. */
  @Get('livez')
  livez(): { success: true; status: 'ok' } {
    return { success: true, status: 'ok' };
  }

  /** Kubernetes readiness: database reachable, and the checks the apps contribute up. */
  @Get('readyz')
  readyz(@Res() res: Response): Promise<void> {
    return this.respond(res, [() => this.database.ping(), ...this.readinessChecks]);
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() res: Response): Promise<void> {
    res.type(this.registry.contentType).send(await this.registry.metrics());
  }

  private async respond(res: Response, checks: HealthIndicatorFunction[]): Promise<void> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check(checks);
    } catch (err) {
      const body = (err as { getResponse?: () => HealthCheckResult }).getResponse?.();
      if (!body) throw err;
      res.status(503).json({ success: false, ...body });
      return;
    }
    res.status(200).json({ success: true, ...result });
  }
}
