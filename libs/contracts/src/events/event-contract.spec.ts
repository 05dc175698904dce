import { IsString } from 'class-validator';
import { defineEvent, InvalidEventError, parseEnvelope } from './event-contract';

class Note {
  @IsString()
  text!: string;
}

/** A type only this test knows: the envelope rules hold for every type. */
const NoteTaken = defineEvent({
  type: 'note.taken',
  schemaVersion: 3,
  producers: ['notes'],
  data: Note,
  subject: () => ({ kind: 'note', id: 'n1' }),
});

describe('event envelope', () => {
  const envelope = NoteTaken.envelope({ text: 'hi' }, 'notes', {
    eventId: '0b7d6b1e-8f5c-4d2a-9c1b-3e4f5a6b7c8d',
    occurredAt: new Date('2026-11-25T10:00:00.000Z'),
  });

  it('carries the id, time and version it is built with', () => {
    expect(envelope).toEqual({
      eventId: '0b7d6b1e-8f5c-4d2a-9c1b-3e4f5a6b7c8d',
      type: 'note.taken',
      schemaVersion: 3,
      occurredAt: '2026-11-25T10:00:00.000Z',
      producer: 'notes',
      data: { text: 'hi' },
    });
  });

  it('parses whatever its type, then by its contract', () => {
    const parsed = parseEnvelope({ ...envelope, type: 'anything.else' });
    expect(parsed.type).toBe('anything.else');
    expect(NoteTaken.parse(parseEnvelope(envelope))).toMatchObject({ data: { text: 'hi' } });
  });

  it.each([
    ['no eventId', { ...envelope, eventId: undefined }],
    ['a type that is not a string', { ...envelope, type: 7 }],
    ['a fractional schemaVersion', { ...envelope, schemaVersion: 1.5 }],
    ['a date that is not ISO 8601', { ...envelope, occurredAt: 'yesterday' }],
    ['no producer', { ...envelope, producer: '' }],
    ['data that is not an object', { ...envelope, data: 'hi' }],
  ])('refuses an envelope with %s', (_case, body) => {
    expect(() => parseEnvelope(body)).toThrow(InvalidEventError);
  });

  it('names every reason its contract refuses the message for', () => {
    const other = { ...envelope, schemaVersion: 1, producer: 'user-v1', data: { text: 1 } };
    expect(() => NoteTaken.parse(parseEnvelope(other))).toThrow(
      'invalid event: schemaVersion: must be 3; producer: must be one of notes; ' +
        'data.text: text must be a string',
    );
  });
});
