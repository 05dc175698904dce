import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { defer, lastValueFrom } from 'rxjs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CommandAttribution, collectionOf, type AttributedCommand } from './command-attribution';
import { enableOperationTracking, runInOperation, UNATTRIBUTED } from './operation-context';
import { eventOperation, OperationContextInterceptor } from './operation-context.interceptor';

const started: string[] = [];
let reported: AttributedCommand[] = [];
let nextRequestId = 1;
const attribution = new CommandAttribution((command) => reported.push(command));

/** What the driver does for one command: started in the caller's context, finished later. */
async function command(commandName: string, collection = 'users'): Promise<void> {
  const requestId = nextRequestId++;
  attribution.started({ requestId, commandName, command: { [commandName]: collection } });
  await nextTurn();
  attribution.succeeded({ requestId, duration: 2 });
}

function operationsOf(commands: AttributedCommand[]): string[] {
  return commands.map((each) => `${each.operation}: ${each.command} ${each.collection}`);
}

function httpContext(method: string, url: string): ExecutionContext {
  const request = { method, routeOptions: { url } };
  return {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

function rabbitContext(type: string): ExecutionContext {
  const message = { properties: { type }, fields: { routingKey: 'user.updated' } };
  return {
    getType: () => 'rmq',
    getArgByIndex: (index: number) => (index === 1 ? message : undefined),
  } as unknown as ExecutionContext;
}

function handlerOf(work: () => Promise<unknown>): CallHandler {
  return { handle: () => defer(work) };
}

beforeAll(() => enableOperationTracking((operation) => started.push(operation)));
beforeEach(() => {
  reported = [];
  started.length = 0;
});

describe('CommandAttribution', () => {
  it('charges a command to the operation it started in, and counts the operation', async () => {
    await runInOperation('PUT /users/:userId', () => command('find'));
    await command('ping', '');
    expect(operationsOf(reported)).toEqual([
      'PUT /users/:userId: find users',
      `${UNATTRIBUTED}: ping `,
    ]);
    expect(started).toEqual(['PUT /users/:userId']);
  });

  it('tells writes from reads and keeps the driver duration and outcome', async () => {
    await runInOperation('POST /users', async () => {
      await command('insert');
      const requestId = nextRequestId++;
      attribution.started({ requestId, commandName: 'update', command: { update: 'users' } });
      attribution.failed({ requestId, duration: 7 });
    });
    expect(reported).toEqual([
      expect.objectContaining({ command: 'insert', write: true, durationMs: 2, failed: false }),
      expect.objectContaining({ command: 'update', write: true, durationMs: 7, failed: true }),
    ]);
  });

  it('charges background work kicked from a request to the background operation', async () => {
    let relayDone: Promise<void> = Promise.resolve();
    await runInOperation('PUT /users/:userId', async () => {
      await command('insert');
      // Kicked without awaiting, as the user services kick the outbox relay.
      relayDone = runInOperation('outbox relay', async () => {
        await command('find');
        await command('update');
      });
    });
    await relayDone;
    expect(operationsOf(reported)).toEqual([
      'PUT /users/:userId: insert users',
      'outbox relay: find users',
      'outbox relay: update users',
    ]);
  });

  it('ignores a finish whose start it never saw', () => {
    attribution.succeeded({ requestId: -1, duration: 1 });
    expect(reported).toEqual([]);
  });
});

describe('collectionOf', () => {
  it('reads getMore’s collection rather than its cursor id', () => {
    expect(
      collectionOf({
        requestId: 1,
        commandName: 'getMore',
        command: { getMore: 5, collection: 'orders' },
      }),
    ).toBe('orders');
    expect(collectionOf({ requestId: 1, commandName: 'ping', command: { ping: 1 } })).toBe('');
  });
});

describe('OperationContextInterceptor', () => {
  const interceptor = new OperationContextInterceptor();

  it('runs an HTTP handler as method + route pattern', async () => {
    const answer = interceptor.intercept(
      httpContext('PUT', '/users/:userId'),
      handlerOf(() => command('find')),
    );
    await lastValueFrom(answer, { defaultValue: undefined });
    expect(operationsOf(reported)).toEqual(['PUT /users/:userId: find users']);
  });

  it('counts what a handler leaves running after it answered as after-response work', async () => {
    let leftRunning: Promise<void> = Promise.resolve();
    const answer = interceptor.intercept(
      httpContext('POST', '/users'),
      handlerOf(async () => {
        leftRunning = nextTurn()
          .then(() => nextTurn())
          .then(() => command('delete'));
        await command('insert');
      }),
    );
    await lastValueFrom(answer, { defaultValue: undefined });
    await leftRunning;
    expect(operationsOf(reported)).toEqual([
      'POST /users: insert users',
      'POST /users (after response): delete users',
    ]);
  });

  it('runs a consumed message as its event type', async () => {
    const answer = interceptor.intercept(
      rabbitContext('user.updated'),
      handlerOf(() => command('update', 'orders')),
    );
    await lastValueFrom(answer, { defaultValue: undefined });
    expect(operationsOf(reported)).toEqual(['event user.updated: update orders']);
  });

  it('falls back to the routing key, then to "unknown", for an untyped message', () => {
    expect(eventOperation({ properties: {}, fields: { routingKey: 'user.created' } })).toBe(
      'event user.created',
    );
    expect(eventOperation(undefined)).toBe('event unknown');
  });
});
