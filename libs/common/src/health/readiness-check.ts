import type { HealthIndicatorResult } from '@nestjs/terminus';

/** A dependency /health/ready waits for (the database); each lib contributes its own. */
export interface ReadinessCheck {
  check(): Promise<HealthIndicatorResult>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/**
 * A dependency /health/ready reports but never waits for (the broker): the service serves its
 * HTTP API without it, so its outage must not take the service off the gateway.
 */
export interface ReportedDependency {
  /** The key it is reported under, e.g. `rabbitmq`. */
  readonly name: string;
  isUp(): boolean;
}

export const REPORTED_DEPENDENCIES = Symbol('REPORTED_DEPENDENCIES');

/** How /health/ready reports the dependencies it does not wait for. */
export type ReportedStates = Record<string, { status: 'up' | 'down' }>;
