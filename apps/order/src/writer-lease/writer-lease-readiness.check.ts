import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { ReadinessCheck } from '@aware/common';
import { WriterLease } from './writer-lease';

/**
 * Not ready while this instance does not hold the writer lease (where the engine needs one): a
 * standby is alive (/health answers) but takes no traffic and applies no events until it holds it.
 */
@Injectable()
export class WriterLeaseReadinessCheck implements ReadinessCheck {
  constructor(
    private readonly lease: WriterLease,
    private readonly indicator: HealthIndicatorService,
  ) {}

  check(): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('writer-lease');
    const state = this.lease.state;
    switch (state.kind) {
      case 'not-needed':
        return Promise.resolve(check.up({ needed: false }));
      case 'held':
        return Promise.resolve(check.up({ term: state.term }));
      case 'waiting':
        return Promise.resolve(
          check.down({
            message: 'waiting for the writer lease',
            ...(state.holder && {
              holder: state.holder.owner,
              until: state.holder.expiresAt.toISOString(),
            }),
          }),
        );
      case 'lapsed':
        return Promise.resolve(
          check.down({ message: `writer lease term ${state.term} not renewed in time` }),
        );
      case 'lost':
        return Promise.resolve(check.down({ message: `writer lease lost: ${state.reason}` }));
    }
  }
}
