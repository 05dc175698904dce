import { mongo } from 'mongoose';
import { isDatabaseUnavailable } from './database-unavailable';

/** The driver raises this when a pool it was waiting on is cleared; its class is not exported. */
class MongoPoolClearedError extends mongo.MongoError {
  override get name(): string {
    return 'MongoPoolClearedError';
  }
}

describe('isDatabaseUnavailable', () => {
  it.each([
    ['MongoNetworkError', new mongo.MongoNetworkError('connection reset')],
    ['MongoNetworkTimeoutError', new mongo.MongoNetworkTimeoutError('timed out')],
    ['MongoServerSelectionError', new mongo.MongoServerSelectionError('no server', {} as never)],
    ['MongoNotConnectedError', new mongo.MongoNotConnectedError('not connected')],
    ['MongoTopologyClosedError', new mongo.MongoTopologyClosedError('closed')],
    ['MongoPoolClearedError', new MongoPoolClearedError('Connection pool was cleared')],
    ['MongoServerClosedError', new mongo.MongoServerClosedError()],
    ['ShutdownInProgress', new mongo.MongoServerError({ code: 91, errmsg: 'shutting down' })],
    ['NotWritablePrimary', new mongo.MongoServerError({ code: 10107, errmsg: 'not primary' })],
    [
      'SQLITE_BUSY from FerretDB',
      new mongo.MongoServerError({ code: 1, errmsg: 'SQLITE_BUSY: database is locked' }),
    ],
  ])('recognises %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('recognises a bare socket error the driver let through (write ECONNRESET)', () => {
    const socketError = Object.assign(new Error('write ECONNRESET'), {
      code: 'ECONNRESET',
      syscall: 'write',
    });
    expect(isDatabaseUnavailable(socketError)).toBe(true);
  });

  it('recognises an error labelled ResetPool and one caused by a network error', () => {
    const labelled = new mongo.MongoError('pool reset');
    labelled.addErrorLabel('ResetPool');
    expect(isDatabaseUnavailable(labelled)).toBe(true);
    const wrapped = new Error('write failed', { cause: new mongo.MongoNetworkError('reset') });
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
  });

  it.each([
    ['a duplicate key', new mongo.MongoServerError({ code: 11000, errmsg: 'E11000' })],
    ['a plain error', new Error('boom')],
    ['a validation failure', new mongo.MongoServerError({ code: 121, errmsg: 'invalid' })],
    ['a non-error', 'MongoNetworkError'],
    ['null', null],
  ])('leaves %s alone', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
