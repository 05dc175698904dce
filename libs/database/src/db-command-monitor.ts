import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import {
  AppConfig,
  CommandAttribution,
  enableOperationTracking,
  Metrics,
  type AttributedCommand,
} from '@aware/common';

/**
 * Bench mode (DB_COMMAND_STATS=true): listens to the driver's command monitoring events and
 * counts every command on /metrics under the operation that issued it — an HTTP route, a
 * consumed event type, the outbox relay — with writes and time, so commands per operation are
 * the counters' ratios. Off by default: monitoring costs every command an event.
 */
@Injectable()
export class DbCommandMonitor implements OnModuleInit {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    if (!this.config.dbCommandStats) return;
    const operations = this.metrics.counter({
      name: 'db_stats_operations_total',
      help: 'Operations tracked for database command counting (requests, events, relay runs).',
      labelNames: ['operation'] as const,
    });
    const commands = this.metrics.counter({
      name: 'db_commands_total',
      help: 'Database commands by the operation that issued them.',
      labelNames: ['operation', 'command', 'collection', 'kind', 'outcome'] as const,
    });
    const seconds = this.metrics.counter({
      name: 'db_command_seconds_total',
      help: 'Time spent in database commands by the operation that issued them.',
      labelNames: ['operation', 'command', 'collection'] as const,
    });
    enableOperationTracking((operation) => operations.inc({ operation }));
    const attribution = new CommandAttribution((command: AttributedCommand) => {
      const { operation, collection } = command;
      commands.inc({
        operation,
        command: command.command,
        collection,
        kind: command.write ? 'write' : 'read',
        outcome: command.failed ? 'failed' : 'succeeded',
      });
      seconds.inc({ operation, command: command.command, collection }, command.durationMs / 1000);
    });
    const client = this.connection.getClient();
    client.on('commandStarted', (event) => attribution.started(event));
    client.on('commandSucceeded', (event) => attribution.succeeded(event));
    client.on('commandFailed', (event) => attribution.failed(event));
  }
}
