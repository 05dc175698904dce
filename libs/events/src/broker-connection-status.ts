import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Metrics, type ReportedDependency } from '@aware/common';

/**
 * The broker connection's state, reported and never waited for: a user write keeps its event in
 * the outbox and the order API serves from its own database, so readiness ignores the broker.
 * It shows on /metrics (aware_broker_connected), in /health/ready's `reported`, and in the log
 * when it changes.
 */
@Injectable()
export class BrokerConnectionStatus implements ReportedDependency, OnApplicationBootstrap {
  readonly name = 'rabbitmq';
  private readonly logger = new Logger('Broker');
  /** Undefined until the first connect or failure, so a healthy start logs nothing alarming. */
  private lastUp?: boolean;

  constructor(
    private readonly amqp: AmqpConnection,
    metrics: Metrics,
  ) {
    const isUp = (): boolean => this.isUp();
    metrics.gauge({
      name: 'aware_broker_connected',
      help: '1 while the RabbitMQ connection is up, else 0 (readiness does not depend on it).',
      collect() {
        this.set(isUp() ? 1 : 0);
      },
    });
  }

  isUp(): boolean {
    return this.amqp.managedConnection.isConnected();
  }

  onApplicationBootstrap(): void {
    const connection = this.amqp.managedConnection;
    connection.on('connect', () => this.changed(true));
    connection.on('disconnect', ({ err }) => this.changed(false, err));
    connection.on('connectFailed', ({ err }) => this.changed(false, err));
  }

  private changed(up: boolean, error?: Error): void {
    if (up === this.lastUp) return;
    const recovered = this.lastUp === false;
    this.lastUp = up;
    if (up) {
      this.logger.log(recovered ? 'RabbitMQ connection restored' : 'RabbitMQ connected');
      return;
    }
    this.logger.warn(
      `RabbitMQ unreachable (${error?.message ?? 'connection closed'}): events wait until it ` +
        'returns; the HTTP API stays ready',
    );
  }
}
