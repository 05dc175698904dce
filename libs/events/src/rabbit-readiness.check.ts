import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { ReadinessCheck } from '@aware/common';

@Injectable()
export class RabbitReadinessCheck implements ReadinessCheck {
  constructor(
    private readonly amqp: AmqpConnection,
    private readonly indicator: HealthIndicatorService,
  ) {}

  check(): Promise<HealthIndicatorResult> {
    const rabbitmq = this.indicator.check('rabbitmq');
    return Promise.resolve(
      this.amqp.managedConnection.isConnected() ? rabbitmq.up() : rabbitmq.down(),
    );
  }
}
