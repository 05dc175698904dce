import { HttpException, Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import {
  AppConfig,
  IdempotencyKeyInFlightProblem,
  IdempotencyKeyReusedProblem,
  requestFingerprint,
  type IdempotentRequest,
} from '@aware/common';
import { idempotencyKeyId } from './idempotency-key.schema';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';

/**
 * How long a key whose resource is not stored yet counts as its first request still at work:
 * retries meanwhile answer 409 with Retry-After. After it, a retry writes the resource itself.
 */
export const IN_FLIGHT_GRACE_MS = 10_000;
/**
 * A first request refused with a 4xx removes its key only this early, well before any retry may
 * take the key over, so the two never overlap even with some clock skew between instances.
 */
const REMOVABLE_FOR_MS = IN_FLIGHT_GRACE_MS / 2;
/** Rounds of "insert the key, else read it" when the key read disappears in between. */
const KEY_ATTEMPTS = 3;

/** A create that an Idempotency-Key protects, described by the service that owns the resource. */
export interface KeyedCreate<R extends object> {
  /** The new resource's id, generated before anything is written. */
  resourceId: string;
  /** The resource record as this request built it. */
  resource: R;
  /**
   * Stores `resource` (this request's, or the one a first request stored with the key). True
   * when this call stored it, false when it was there already. Runs again after a crash and may
   * run beside another copy of itself: the resource's own unique id must decide.
   */
  write(resource: R): Promise<boolean>;
  /** Whether the resource with this id is stored. */
  exists(resourceId: string): Promise<boolean>;
  /** Gives back what a write refused with a 4xx took (e.g. email claims). Never throws. */
  abandon?(resource: R): Promise<void>;
}

interface KeyedCreateOutcome<R> {
  /** The resource the key stands for: answer with it. */
  resource: R;
  /** True when this answer repeats an earlier one: nothing was written. */
  replayed: boolean;
  /** True when this request stored the resource (its events are to be published now). */
  written: boolean;
}

/**
 * Creates at most one resource per Idempotency-Key and API client, on any engine and any number
 * of instances, without transactions (docs/reliability.md, "Safe retries").
 */
@Injectable()
export class IdempotentCreates {
  private readonly logger = new Logger(IdempotentCreates.name);
  private readonly ttlMs: number;

  constructor(
    private readonly keys: IdempotencyKeysRepository,
    config: AppConfig,
  ) {
    this.ttlMs = config.idempotencyKeyTtlMs;
  }

  async create<R extends object>(
    request: IdempotentRequest,
    create: KeyedCreate<R>,
  ): Promise<KeyedCreateOutcome<R>> {
    const id = idempotencyKeyId(request.scope, request.key);
    const fingerprint = requestFingerprint(request);
    for (let attempt = 0; attempt < KEY_ATTEMPTS; attempt += 1) {
      const startedAt = performance.now();
      const now = new Date();
      const inserted = await this.keys.insert({
        _id: id,
        scope: request.scope,
        key: request.key,
        fingerprint,
        resourceId: create.resourceId,
        resource: create.resource as Record<string, unknown>,
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.ttlMs),
      });
      if (inserted) return this.writeFirst(id, create, startedAt);

      const stored = await this.keys.find(id);
      // Removed in between (its first request was refused, or it expired): try to take it.
      if (!stored) continue;
      if (stored.fingerprint !== fingerprint) throw new IdempotencyKeyReusedProblem(request.key);
      // Our own insert, repeated by the driver after a lost answer: we are the first request.
      if (stored.resourceId === create.resourceId) return this.writeFirst(id, create, startedAt);

      const resource = stored.resource as R;
      if (await create.exists(stored.resourceId)) {
        return { resource, replayed: true, written: false };
      }
      const age = Date.now() - stored.createdAt.getTime();
      if (age < IN_FLIGHT_GRACE_MS) {
        throw new IdempotencyKeyInFlightProblem(
          request.key,
          Math.max(1, Math.ceil((IN_FLIGHT_GRACE_MS - age) / 1000)),
        );
      }
      // The first request stopped between the key and the resource: finish its write.
      const written = await create.write(resource);
      return { resource, replayed: !written, written };
    }
    throw new IdempotencyKeyInFlightProblem(request.key, 1);
  }

  private async writeFirst<R extends object>(
    id: string,
    create: KeyedCreate<R>,
    startedAt: number,
  ): Promise<KeyedCreateOutcome<R>> {
    try {
      const written = await create.write(create.resource);
      return { resource: create.resource, replayed: false, written };
    } catch (error) {
      // Refused (4xx): nothing was stored, so the key goes too and a retry does the work anew.
      // A failure of the database (5xx) may hide a stored resource: the key stays for the retry.
      const refused = error instanceof HttpException && error.getStatus() < 500;
      if (refused && performance.now() - startedAt < REMOVABLE_FOR_MS) {
        await this.removeKey(id, create.resourceId);
        await create.abandon?.(create.resource);
      }
      throw error;
    }
  }

  private async removeKey(id: string, resourceId: string): Promise<void> {
    try {
      await this.keys.remove(id, resourceId);
    } catch (error) {
      // The key stays until it expires: a retry then repeats the refused work, and is refused
      // the same way unless what refused it changed.
      this.logger.warn(`idempotency key of refused ${resourceId} left in place: ${String(error)}`);
    }
  }
}
