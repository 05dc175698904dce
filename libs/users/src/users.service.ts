import { HttpStatus, Injectable } from '@nestjs/common';
import AsyncLock from 'async-lock';
import { randomUUID } from 'node:crypto';
import {
  AppConfig,
  NotFoundProblem,
  type CreateAnswer,
  type IdempotentRequest,
  ProblemException,
  ProblemType,
  requireAnyField,
  type RequestOrigin,
} from '@aware/common';
import {
  FIRST_USER_VERSION,
  sameAddress,
  sameEmails,
  toAddress,
  USER_EVENT_PRODUCERS,
  UserCreated,
  UserUpdated,
  type CreateUserDto,
  type UserEventProducer,
  type UserEventContract,
  type UpdateUserDto,
  type UserDto,
} from '@aware/contracts';
import {
  IdempotentCreates,
  UsersRepository,
  type UserRecord,
  type UserVersionEvent,
} from '@aware/database';
import { OutboxRelay } from '@aware/events';
import { EmailOwnership } from './email-ownership';
import { ifMatchSatisfied } from './if-match';
import { TimestampPolicy } from './timestamp.policy';
import { toUserDto } from './user-response';
import { outboxEntryOf } from './users-outbox';

/** Optimistic-concurrency retries of one PUT before it gives up with 409. */
const UPDATE_ATTEMPTS = 10;

@Injectable()
export class UsersService {
  /**
   * Serialises this process's writes per user. Correctness across processes comes from the
   * version-guarded write; this spares in-process CAS retries and keeps engines whose conditional
   * [engine-note: process-locks]
   * updates are not atomic (FerretDB) correct for one process.
   */
  private readonly userLocks = new AsyncLock({ maxPending: 10_000 });

  private readonly producer: UserEventProducer;

  constructor(
    private readonly users: UsersRepository,
    private readonly emailOwnership: EmailOwnership,
    private readonly timestamps: TimestampPolicy,
    private readonly relay: OutboxRelay,
    private readonly idempotentCreates: IdempotentCreates,
    config: AppConfig,
  ) {
    const producer = USER_EVENT_PRODUCERS.find((name) => name === config.serviceName);
    if (!producer) throw new Error(`${config.serviceName} is not a user service`);
    this.producer = producer;
  }

  /**
   * Creates a user. With an Idempotency-Key, at most one user per key and API client: a retry
   * answers the first user again (docs/api.md, "Safe retries").
   */
  async create(
    dto: CreateUserDto,
    origin?: RequestOrigin,
    idempotency?: IdempotentRequest,
  ): Promise<CreateAnswer<UserDto>> {
    const record = this.newUser(dto, origin);
    if (!idempotency) {
      await this.writeNew(record);
      this.publishNow(record);
      return { resource: toUserDto(record), replayed: false };
    }
    const outcome = await this.idempotentCreates.create(idempotency, {
      resourceId: record.userId,
      resource: record,
      write: (user) => this.writeKeyed(user),
      exists: (userId) => this.users.exists(userId),
      abandon: (user) => this.emailOwnership.release(user.emails, user.userId),
    });
    if (outcome.written) this.publishNow(outcome.resource);
    return { resource: toUserDto(outcome.resource), replayed: outcome.replayed };
  }

  private newUser(dto: CreateUserDto, origin: RequestOrigin | undefined): UserRecord {
    const userId = randomUUID();
    const now = new Date();
    return {
      userId,
      ...(dto.firstName !== undefined && { firstName: dto.firstName }),
      ...(dto.lastName !== undefined && { lastName: dto.lastName }),
      emails: dto.emails,
      deliveryAddress: toAddress(dto.deliveryAddress),
      ...(dto.phoneNumber !== undefined && { phoneNumber: dto.phoneNumber }),
      ...this.timestamps.onCreate(dto, now),
      version: FIRST_USER_VERSION,
      event: this.eventOf(UserCreated, now, origin),
      published: false,
    };
  }

  private async writeNew(record: UserRecord): Promise<void> {
    try {
      // One instant for the claims and the version: a claim older than its owner's newest
      // version no longer protects a write in flight (see EmailOwnership).
      await this.emailOwnership.claim(record.emails, record.userId, record.event.occurredAt);
      await this.users.insertVersion(record);
    } catch (error) {
      await this.emailOwnership.release(record.emails, record.userId);
      throw error;
    }
  }

  /**
   * The write of a keyed create, by its first request or by a retry finishing it: it may run
   * twice, side by side. Claiming an email its user already claimed just renews the claim, and
   * the version's unique key lets one insert in. Claims are made now, not at the version's
   * instant: a retry's claims must hold a lease from now on. Nothing is released on failure here
   * (the key's owner decides that): an unreleased claim frees itself when its lease ends.
   */
  private async writeKeyed(record: UserRecord): Promise<boolean> {
    await this.emailOwnership.claim(record.emails, record.userId, new Date());
    return this.users.insertVersion(record);
  }

  /** Committed: nothing after this may fail the request. */
  private publishNow(record: UserRecord): void {
    void this.relay.publishNow(record.userId, record.version, outboxEntryOf(record));
  }

  async get(userId: string): Promise<UserDto> {
    return toUserDto(await this.load(userId));
  }

  async update(
    userId: string,
    dto: UpdateUserDto,
    ifMatch?: string,
    origin?: RequestOrigin,
  ): Promise<UserDto> {
    requireAnyField(dto, ['emails', 'deliveryAddress']);
    return this.userLocks.acquire(userId, () => this.applyUpdate(userId, dto, ifMatch, origin));
  }

  private async applyUpdate(
    userId: string,
    dto: UpdateUserDto,
    ifMatch: string | undefined,
    origin: RequestOrigin | undefined,
  ): Promise<UserDto> {
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt += 1) {
      const current = await this.load(userId);
      if (!ifMatchSatisfied(ifMatch, current.version)) {
        throw new ProblemException(
          HttpStatus.PRECONDITION_FAILED,
          ProblemType.preconditionFailed,
          `If-Match ${ifMatch} does not match the current version ${current.version}.`,
        );
      }
      const emails = dto.emails ?? current.emails;
      const deliveryAddress = dto.deliveryAddress
        ? toAddress(dto.deliveryAddress)
        : current.deliveryAddress;
      if (
        sameEmails(emails, current.emails) &&
        sameAddress(deliveryAddress, current.deliveryAddress)
      ) {
        return toUserDto(current);
      }

      const now = new Date();
      const added = emails.filter((email) => !current.emails.includes(email));
      await this.emailOwnership.claim(added, userId, now);
      const next: UserRecord = {
        ...current,
        emails,
        deliveryAddress,
        ...this.timestamps.onUpdate(now),
        version: current.version + 1,
        event: this.eventOf(UserUpdated, now, origin),
        published: false,
      };
      if (await this.users.insertVersion(next)) {
        // Committed: nothing after this may fail the request. Dropped emails need no release:
        // this version, newer than their claims, frees them (see EmailOwnership).
        void this.relay.publishNow(userId, next.version, outboxEntryOf(next));
        return toUserDto(next);
      }
    }
    throw new ProblemException(
      HttpStatus.CONFLICT,
      ProblemType.conflict,
      'The user is being modified concurrently; retry.',
    );
  }

  /** A new version's outbox entry; the relay sends the version's state as its data (userEventOf). */
  private eventOf(
    event: UserEventContract,
    occurredAt: Date,
    origin: RequestOrigin | undefined,
  ): UserVersionEvent {
    return {
      eventId: randomUUID(),
      type: event.type,
      occurredAt,
      producer: this.producer,
      ...(origin && { correlationId: origin.requestId }),
      ...(origin?.traceparent && { traceparent: origin.traceparent }),
    };
  }

  private async load(userId: string): Promise<UserRecord> {
    const user = await this.users.findByUserId(userId);
    if (!user) throw new NotFoundProblem(`User ${userId} not found.`);
    return user;
  }
}
