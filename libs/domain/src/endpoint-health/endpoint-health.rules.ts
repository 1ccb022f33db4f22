import type { AttemptOutcome } from '../dispatch/dispatch.types';

/** The circuit's first cool-off, in seconds (§7); it doubles at each reopening. */
export const CIRCUIT_BASE_COOLDOWN_SECONDS = 30;

/** What one batch of recorded outcomes says about one webhook's health. */
export interface HealthReport {
  webhookId: string;
  /** Failed attempts after the batch's last success (all of them when none succeeded). */
  failures: number;
  /** Some attempt succeeded: the count starts again from `failures`, the circuit closes. */
  succeeded: boolean;
  /** The endpoint answered 410 Gone. */
  gone: boolean;
  /** Some outcome was of a delivery that is not an operational event's (see transitions). */
  regular: boolean;
}

/**
 * Folds a batch's outcomes (in the order they were added) into one report per webhook.
 * Every attempt counts, operational events' deliveries included: the breaker protects
 * the endpoint. (A batch with no outcome that may change health is written without
 * reports: AttemptOutcome.touchesHealth.)
 */
export function healthReports(outcomes: readonly AttemptOutcome[]): HealthReport[] {
  const reports = new Map<string, HealthReport>();
  for (const o of outcomes) {
    let report = reports.get(o.webhookId);
    if (!report) {
      report = {
        webhookId: o.webhookId,
        failures: 0,
        succeeded: false,
        gone: false,
        regular: false,
      };
      reports.set(o.webhookId, report);
    }
    if (o.success) {
      report.succeeded = true;
      report.failures = 0;
    } else {
      report.failures++;
      if (o.responseStatusCode === 410 && o.error === '') report.gone = true;
    }
    if (!o.operational) report.regular = true;
  }
  return [...reports.values()];
}

/** The reason text of an auto-disable (webhooks.disabled_reason). */
export const DISABLED_REASONS = {
  gone: 'endpoint answered 410 Gone',
  failing: (seconds: number) => `failing without a success for ${seconds} seconds`,
};

/** A change of a webhook's state that an operational event reports. */
export interface HealthTransition {
  webhookId: string;
  /** The webhook's tenant (§11), null for the platform's: the operational event names it. */
  tenantId: string | null;
  kind: 'circuit_opened' | 'circuit_closed' | 'disabled';
  reason: string;
  /** Caused by regular deliveries: only those publish operational events (no loops). */
  regular: boolean;
}
