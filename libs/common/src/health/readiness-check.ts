import type { HealthIndicatorResult } from '@nestjs/terminus';

/** One dependency /health/ready waits for (MongoDB, RabbitMQ); each lib contributes its own. */
export interface ReadinessCheck {
  check(): Promise<HealthIndicatorResult>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
