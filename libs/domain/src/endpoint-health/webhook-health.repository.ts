import { Injectable } from '@nestjs/common';
import type { Sql } from '../common/unit-of-work';
import { HEALTH_SQL } from './health.sql';
import {
  CIRCUIT_BASE_COOLDOWN_SECONDS,
  DISABLED_REASONS,
  type HealthReport,
  type HealthTransition,
} from './endpoint-health.rules';

export interface HealthSettings {
  circuitFailures: number;
  circuitMaxCooldown: number;
  /** Seconds; 0 = never. */
  disableAfter: number;
}

interface TransitionRow {
  id: string;
  tenant_id: string | null;
  regular: boolean;
  disabled_by: string | null;
  consecutive_failures: number;
  circuit_cooldown: number | null;
  opened: boolean;
  closed: boolean;
}

@Injectable()
export class WebhookHealthRepository {
  /** Writes what the reports change; returns the transitions operational events report. */
  async apply(
    reports: readonly HealthReport[],
    settings: HealthSettings,
    sql: Sql,
  ): Promise<HealthTransition[]> {
    if (reports.length === 0) return [];
    const [rows] = await sql.query<[TransitionRow[], number]>(HEALTH_SQL, [
      reports.map((r) => r.webhookId),
      reports.map((r) => r.failures),
      reports.map((r) => r.succeeded),
      reports.map((r) => r.gone),
      reports.map((r) => r.regular),
      settings.circuitFailures,
      CIRCUIT_BASE_COOLDOWN_SECONDS,
      settings.circuitMaxCooldown,
      settings.disableAfter,
      DISABLED_REASONS.gone,
      DISABLED_REASONS.failing(settings.disableAfter),
    ]);
    const transitions: HealthTransition[] = [];
    for (const row of rows) {
      const base = { webhookId: row.id, tenantId: row.tenant_id, regular: row.regular };
      if (row.opened) {
        transitions.push({
          ...base,
          kind: 'circuit_opened',
          reason: `${row.consecutive_failures} consecutive failed attempts; deliveries wait ${row.circuit_cooldown} s`,
        });
      }
      if (row.closed) {
        transitions.push({ ...base, kind: 'circuit_closed', reason: 'an attempt succeeded' });
      }
      if (row.disabled_by) transitions.push({ ...base, kind: 'disabled', reason: row.disabled_by });
    }
    return transitions;
  }
}
