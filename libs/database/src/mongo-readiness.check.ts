import { Injectable } from '@nestjs/common';
import { MongooseHealthIndicator, type HealthIndicatorResult } from '@nestjs/terminus';
import type { ReadinessCheck } from '@aware/common';

@Injectable()
export class MongoReadinessCheck implements ReadinessCheck {
  constructor(private readonly mongoose: MongooseHealthIndicator) {}

  check(): Promise<HealthIndicatorResult> {
    return this.mongoose.pingCheck('mongodb', { timeout: 1_500 });
  }
}
