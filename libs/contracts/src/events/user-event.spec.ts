import { InvalidUserEventError, parseUserEvent } from './user-event';

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

describe('parseUserEvent', () => {
  it('accepts a valid event', () => {
    expect(parseUserEvent(valid)).toMatchObject({ type: 'user.updated', data: { version: 4 } });
  });

  it.each([
    ['a string', 'not an event'],
    ['null', null],
    ['an array', [valid]],
    ['an unknown type', { ...valid, type: 'user.deleted' }],
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
  ])('rejects %s', (_case, body) => {
    expect(() => parseUserEvent(body)).toThrow(InvalidUserEventError);
  });
});
