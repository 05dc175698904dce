import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { WriterLease } from './writer-lease';

/** How often the consumer is brought in line with the lease (a broker reconnect restarts it). */
const RECONCILE_EVERY_MS = 250;

/**
 * Consumes the order queue only while this instance holds the writer lease: a standby consumes
 * nothing (its prefetch would hold events back from the writer), and a writer that loses the
 * lease cancels its consumer at once. The library restarts consumers when the broker connection
 * comes back, so this checks again on a short interval; a message delivered in between is
 * returned unapplied by the lease's fence.
 */
@Injectable()
export class WriterLeaseConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WriterLeaseConsumer.name);
  /** Consumer tags this instance cancelled and has not resumed. */
  private readonly cancelled = new Set<string>();
  private timer?: NodeJS.Timeout;
  private reconciling = false;

  constructor(
    private readonly lease: WriterLease,
    private readonly amqp: AmqpConnection,
  ) {}

  onApplicationBootstrap(): void {
    this.lease.onLost(() => void this.reconcile());
    this.lease.onAcquired(() => void this.reconcile());
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_EVERY_MS);
    this.timer.unref();
    void this.reconcile();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async reconcile(): Promise<void> {
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      if (this.lease.held) await this.resume();
      else await this.cancel();
    } finally {
      this.reconciling = false;
    }
  }

  private async cancel(): Promise<void> {
    for (const tag of this.amqp.consumerTags) {
      if (this.cancelled.has(tag)) continue;
      this.cancelled.add(tag);
      try {
        await this.amqp.cancelConsumer(tag);
        this.logger.log(
          `order queue consumer ${tag} cancelled: this instance holds no writer lease`,
        );
      } catch (error) {
        // Its channel is gone with a lost connection: nothing is consumed on it any more.
        this.logger.debug(`consumer ${tag} not cancelled: ${String(error)}`);
      }
    }
  }

  private async resume(): Promise<void> {
    for (const tag of [...this.cancelled]) {
      this.cancelled.delete(tag);
      try {
        const resumed = await this.amqp.resumeConsumer(tag);
        if (resumed) this.logger.log(`order queue consumer resumed (${resumed})`);
      } catch (error) {
        // Its channel died with a lost connection; the library made a new consumer on reconnect.
        this.logger.debug(`consumer ${tag} not resumed: ${String(error)}`);
      }
    }
  }
}
