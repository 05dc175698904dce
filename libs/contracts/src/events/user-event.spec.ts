import { InvalidEventError, parseEnvelope } from './event-contract';
import { UserCreated, UserUpdated } from './user-event';

const valid = {
  eventId: '0b7d6b1e-8f5c-4d2a-9c1b-3e4f5a6b7c8d',
  type: 'user.updated',
  schemaVersion: 1,
  occurredAt: '2026-11-25T10:00:00.000Z',
  producer: 'user-v2',
  data: {
    userId: '3b241101-e2bb-4255-8caf-4136c566a962',
    version: 4,
    emails: ['ada@example.com'],
    deliveryAddress: {
      street: '1 Main St',
      city: 'Springfield',
      state: 'IL',
      postalCode: '62701',
      country: 'US',
    },
  },
};

function parseUserUpdated(body: unknown): UserUpdated {
  return UserUpdated.parse(parseEnvelope(body));
}

describe('UserUpdated', () => {
  it('accepts a valid event', () => {
    expect(parseUserUpdated(valid)).toMatchObject({ type: 'user.updated', data: { version: 4 } });
  });

  it.each([
    ['a string', 'not an event'],
    ['null', null],
    ['an array', [valid]],
    ['another type', { ...valid, type: 'user.deleted' }],
    ['schemaVersion 2', { ...valid, schemaVersion: 2 }],
    ['an unknown producer', { ...valid, producer: 'order' }],
    ['a missing data', { ...valid, data: undefined }],
    ['version 0', { ...valid, data: { ...valid.data, version: 0 } }],
    ['a fractional version', { ...valid, data: { ...valid.data, version: 1.5 } }],
    ['an operator for emails', { ...valid, data: { ...valid.data, emails: { $gt: '' } } }],
    ['no emails', { ...valid, data: { ...valid.data, emails: [] } }],
    [
      'an incomplete address',
      { ...valid, data: { ...valid.data, deliveryAddress: { city: 'X' } } },
    ],
    ['a userId that could never be an id', { ...valid, data: { ...valid.data, userId: 'u 1' } }],
    [
      'data only under __proto__',
      JSON.parse(
        JSON.stringify({ ...valid, data: 'DATA' }).replace(
          '"DATA"',
          `{"__proto__": ${JSON.stringify(valid.data)}}`,
        ),
      ),
    ],
  ])('rejects %s', (_case, body) => {
    expect(() => parseUserUpdated(body)).toThrow(InvalidEventError);
  });

  it('builds the message a consumer accepts, with the version its contract declares', () => {
    const event = UserUpdated.envelope(valid.data, 'user-v1');
    expect(event).toMatchObject({ type: 'user.updated', schemaVersion: 1, producer: 'user-v1' });
    expect(parseUserUpdated(JSON.parse(JSON.stringify(event)))).toEqual({
      ...event,
      data: expect.objectContaining(valid.data),
    });
  });
});

describe('UserCreated', () => {
  it('refuses a user.updated message', () => {
    expect(() => UserCreated.parse(parseEnvelope(valid))).toThrow('type: must be user.created');
  });
});
