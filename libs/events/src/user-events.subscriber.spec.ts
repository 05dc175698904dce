import { Nack } from '@golevelup/nestjs-rabbitmq';
import { Injectable, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import type { ConsumeMessage } from 'amqplib';
import { IsString } from 'class-validator';
import { AppConfig, loadAppConfig, Metrics } from '@aware/common';
import { defineEvent, UserCreated, UserUpdated, type EventOf } from '@aware/contracts';
import {
  EVENT_HANDLER_CLASSES,
  EventHandlerRegistry,
  HandlesEvent,
  type EventChanges,
} from './event-handler.registry';
import { EventMetrics } from './event-metrics';
import { UserEventsSubscriber } from './user-events.subscriber';

const USER_ID = '3b241101-e2bb-4255-8caf-4136c566a962';

const snapshot = {
  userId: USER_ID,
  version: 4,
  emails: ['ada@example.com'],
  deliveryAddress: {
    street: '1 Main St',
    city: 'Springfield',
    state: 'IL',
    postalCode: '62701',
    country: 'US',
  },
};

class Note {
  @IsString()
  noteId!: string;
}

/** An event type only this test declares: a contract, a handler, nothing else. */
const NoteTaken = defineEvent({
  type: 'user.note-taken',
  schemaVersion: 1,
  producers: ['user-v1'],
  data: Note,
  subject: (note) => ({ kind: 'note', id: note.noteId }),
});

@Injectable()
class UserSync {
  readonly applied: string[] = [];
  failNext = false;

  @HandlesEvent(UserCreated, UserUpdated)
  apply(event: UserCreated | UserUpdated): Promise<EventChanges> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('database down'));
    }
    this.applied.push(`${event.type} v${event.data.version}`);
    return Promise.resolve({ orders: event.type === 'user.updated' ? 2 : 0 });
  }
}

@Injectable()
class NoteKeeper {
  readonly notes: string[] = [];

  @HandlesEvent(NoteTaken)
  keep(event: EventOf<typeof NoteTaken>): Promise<EventChanges> {
    this.notes.push(event.data.noteId);
    return Promise.resolve({ notes: 1 });
  }
}

/** The handlers sit in the app's own modules; the app lists their classes for the registry. */
@Module({ providers: [UserSync, NoteKeeper], exports: [UserSync, NoteKeeper] })
class HandlersModule {}

const HANDLERS = { provide: EVENT_HANDLER_CLASSES, useValue: [UserSync, NoteKeeper] };

function message(headers: Record<string, unknown> = {}): ConsumeMessage {
  return {
    content: Buffer.alloc(0),
    fields: {},
    properties: { messageId: 'm-1', correlationId: 'req-1', headers },
  } as unknown as ConsumeMessage;
}

describe('UserEventsSubscriber with the EventHandlerRegistry', () => {
  const spans = new InMemorySpanExporter();
  const tracing = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  let subscriber: UserEventsSubscriber;
  let users: UserSync;
  let notes: NoteKeeper;
  let metrics: Metrics;
  let logged: unknown[];

  beforeAll(() => {
    trace.setGlobalTracerProvider(tracing);
  });

  afterAll(async () => {
    trace.disable();
    await tracing.shutdown();
  });

  beforeEach(async () => {
    const config = loadAppConfig(
      { LOG_FORMAT: 'json' },
      { name: 'order', defaultDatabase: 'orders', title: 'order', description: 'order' },
    );
    const app = await Test.createTestingModule({
      imports: [HandlersModule],
      providers: [
        UserEventsSubscriber,
        EventHandlerRegistry,
        HANDLERS,
        EventMetrics,
        Metrics,
        { provide: AppConfig, useValue: config },
      ],
    }).compile();
    await app.init();
    subscriber = app.get(UserEventsSubscriber);
    users = app.get(UserSync);
    notes = app.get(NoteKeeper);
    metrics = app.get(Metrics);
    logged = [];
    jest.spyOn(Logger.prototype, 'log').mockImplementation((line: unknown) => {
      logged.push(line);
    });
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((line: unknown) => {
      logged.push(line);
    });
    spans.reset();
  });

  afterEach(() => jest.restoreAllMocks());

  async function consumed(outcome: string): Promise<number> {
    const counter = await metrics.registry.getSingleMetric('aware_events_consumed_total')?.get();
    return counter?.values.find((value) => value.labels.outcome === outcome)?.value ?? 0;
  }

  it('hands each event to the handler of its type, then acks', async () => {
    const created = UserCreated.envelope({ ...snapshot, version: 1 }, 'user-v1');
    const updated = UserUpdated.envelope(snapshot, 'user-v2');

    expect(await subscriber.handle(created, message())).toBeUndefined();
    expect(await subscriber.handle(updated, message())).toBeUndefined();

    expect(users.applied).toEqual(['user.created v1', 'user.updated v4']);
    expect(notes.notes).toEqual([]);
    expect(await consumed('applied')).toBe(2);
  });

  it('logs and traces the event by its subject and what the handler changed', async () => {
    const updated = UserUpdated.envelope(snapshot, 'user-v2');
    await subscriber.handle(updated, message());

    expect(logged).toEqual([
      {
        msg: 'event applied',
        type: 'user.updated',
        userId: USER_ID,
        version: 4,
        outcome: 'applied',
        ordersChanged: 2,
        lagMs: expect.any(Number),
        correlationId: 'req-1',
        eventId: updated.eventId,
      },
    ]);
    const [span] = spans.getFinishedSpans();
    expect(span.name).toBe('process user.updated');
    expect(span.attributes).toEqual({
      'messaging.system': 'rabbitmq',
      'messaging.message.id': updated.eventId,
      'aware.user_id': USER_ID,
      'aware.user_version': 4,
      'aware.orders_changed': 2,
    });
  });

  it('logs an event that changed nothing as a no-op', async () => {
    await subscriber.handle(
      UserCreated.envelope({ ...snapshot, version: 1 }, 'user-v1'),
      message(),
    );
    expect(logged).toEqual([expect.objectContaining({ outcome: 'no-op', ordersChanged: 0 })]);
  });

  it('dead-letters an event of a type nothing here handles', async () => {
    const deleted = { ...UserUpdated.envelope(snapshot, 'user-v2'), type: 'user.deleted' };

    expect(await subscriber.handle(deleted, message())).toEqual(new Nack(false));

    expect(users.applied).toEqual([]);
    expect(logged).toEqual(['dead-lettering message m-1: no handler for event type user.deleted']);
    expect(await consumed('dead_lettered')).toBe(1);
  });

  it('dead-letters an event its type’s contract refuses', async () => {
    const invalid = UserUpdated.envelope({ ...snapshot, version: 0 }, 'user-v2');

    expect(await subscriber.handle(invalid, message())).toEqual(new Nack(false));
    expect(await subscriber.handle('not JSON', message())).toEqual(new Nack(false));

    expect(users.applied).toEqual([]);
    expect(await consumed('dead_lettered')).toBe(2);
  });

  it('requeues an event whose handler failed, and traces the failure', async () => {
    users.failNext = true;

    const outcome = await subscriber.handle(UserUpdated.envelope(snapshot, 'user-v2'), message());

    expect(outcome).toEqual(new Nack(true));
    expect(await consumed('requeued')).toBe(1);
    expect(spans.getFinishedSpans()[0].status.message).toBe('database down');
  });

  it('handles a new event type through its own handler, subscriber unchanged', async () => {
    const note = NoteTaken.envelope({ noteId: 'n-1' }, 'user-v1');

    expect(await subscriber.handle(note, message())).toBeUndefined();

    expect(notes.notes).toEqual(['n-1']);
    expect(users.applied).toEqual([]);
    expect(logged).toEqual([
      expect.objectContaining({
        type: 'user.note-taken',
        noteId: 'n-1',
        outcome: 'applied',
        notesChanged: 1,
      }),
    ]);
    expect(spans.getFinishedSpans()[0].attributes).toMatchObject({
      'aware.note_id': 'n-1',
      'aware.notes_changed': 1,
    });
  });

  it('refuses to start with two handlers for one type', async () => {
    @Injectable()
    class SecondUserSync {
      @HandlesEvent(UserUpdated)
      apply(event: UserUpdated): Promise<EventChanges> {
        return Promise.resolve({ orders: event.data.version });
      }
    }
    const app = await Test.createTestingModule({
      imports: [HandlersModule],
      providers: [
        EventHandlerRegistry,
        SecondUserSync,
        { provide: EVENT_HANDLER_CLASSES, useValue: [UserSync, NoteKeeper, SecondUserSync] },
      ],
    }).compile();

    await expect(app.init()).rejects.toThrow(/^user\.updated has two handlers: \w+\.apply and/);
  });

  it('refuses to start with a listed class that handles nothing', async () => {
    @Injectable()
    class Bystander {}
    const app = await Test.createTestingModule({
      providers: [
        EventHandlerRegistry,
        Bystander,
        { provide: EVENT_HANDLER_CLASSES, useValue: [Bystander] },
      ],
    }).compile();

    await expect(app.init()).rejects.toThrow(/^Bystander is listed as an event handler/);
  });

  it('calls only the listed classes: an unlisted @HandlesEvent method takes nothing', async () => {
    const app = await Test.createTestingModule({
      imports: [HandlersModule],
      providers: [EventHandlerRegistry, { provide: EVENT_HANDLER_CLASSES, useValue: [UserSync] }],
    }).compile();
    await app.init();
    const registry = app.get(EventHandlerRegistry);

    expect(() => registry.receive(NoteTaken.envelope({ noteId: 'n-1' }, 'user-v1'))).toThrow(
      /no handler for event type user\.note-taken/,
    );
  });
});
