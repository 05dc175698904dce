import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@aware/common';
import { EngineCapabilities } from '@aware/database';

/**
 * Whether this order instance must hold the writer lease: only where two writers could lose each
 * [engine-note: writer-lease]
 * other's change, i.e. where the engine's conditional updates are not atomic across connections
 * (probed at start), unless ORDER_WRITER_LEASE decides.
 */
@Injectable()
export class WriterLeasePolicy {
  private readonly logger = new Logger(WriterLeasePolicy.name);
  /** Why a lease is needed (or not), once leaseNeeded() has decided; for the waiting log. */
  reason = 'not decided yet';

  constructor(
    private readonly config: AppConfig,
    private readonly engine: EngineCapabilities,
  ) {}

  async leaseNeeded(): Promise<boolean> {
    const mode = this.config.orderWriterLease;
    if (mode !== 'auto') {
      this.reason = `ORDER_WRITER_LEASE=${mode}`;
      this.logger.log(`${this.reason}: ${mode === 'always' ? 'a' : 'no'} writer lease`);
      return mode === 'always';
    }
    const atomic = await this.engine.atomicConditionalUpdates();
    this.reason = atomic
      ? 'the engine applies conditional updates atomically'
      : 'the engine applies conditional updates non-atomically';
    this.logger.log(
      atomic
        ? `${this.reason}: no writer lease, instances serve side by side`
        : `${this.reason}: this instance writes only while it holds the writer lease`,
    );
    return !atomic;
  }
}
