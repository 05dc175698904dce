/** Creating a user in either user service: what a valid body answers, and what is refused. */
import { anAddress, uniqueEmail } from './support/fixtures';
import type { Json } from './support/http';
import { expectProblem, startUsersApi, USER_SERVICES } from './support/users-api';

describe.each(USER_SERVICES)('users API ($identity.name)', (service) => {
  const { inject, send, createUser } = startUsersApi(service);

  describe('POST /users', () => {
    it('creates a user with a server UUID v4, version 1 and ETag', async () => {
      const response = await send('POST', '/users', {
        emails: ['  Ada.Lovelace@Example.COM ', uniqueEmail()],
        deliveryAddress: anAddress(),
        firstName: 'Ada',
        lastName: 'Lovelace',
        phoneNumber: '5551234567',
      });
      expect(response.statusCode).toBe(201);
      const user = response.json<Json>();
      expect(user.userId).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(user).toMatchObject({
        firstName: 'Ada',
        lastName: 'Lovelace',
        phoneNumber: '5551234567',
        deliveryAddress: anAddress(),
        version: 1,
      });
      expect((user.emails as string[])[0]).toBe('ada.lovelace@example.com');
      expect(response.headers.etag).toBe('"1"');
      expect(response.headers.location).toBe(`/users/${String(user.userId)}`);
    });

    it('answers on the trailing-slash path too', async () => {
      const response = await send('POST', '/users/', {
        emails: [uniqueEmail()],
        deliveryAddress: anAddress(),
      });
      expect(response.statusCode).toBe(201);
    });

    it('never exposes storage internals', async () => {
      const user = await createUser();
      const fetched = (await send('GET', `/users/${String(user.userId)}`)).json<Json>();
      for (const body of [user, fetched]) {
        expect(Object.keys(body)).not.toEqual(expect.arrayContaining(['_id']));
        expect(body).not.toHaveProperty('_id');
        expect(body).not.toHaveProperty('__v');
        expect(body).not.toHaveProperty('outbox');
        expect(body).not.toHaveProperty('deliveryAddress._id');
      }
    });

    it.each([
      ['a client-sent userId', { userId: '3b241101-e2bb-4255-8caf-4136c566a962' }, 'userId'],
      ['an unknown field', { nickname: 'ada' }, 'nickname'],
      ['missing emails', { emails: undefined }, 'emails'],
      ['an empty email list', { emails: [] }, 'emails'],
      ['eleven emails', { emails: Array.from({ length: 11 }, () => uniqueEmail()) }, 'emails'],
      ['an invalid email', { emails: ['not-an-email'] }, 'emails'],
      ['a repeated email (case-insensitive)', { emails: ['a@x.io', ' A@X.io'] }, 'emails'],
      ['emails as a string', { emails: 'a@x.io' }, 'emails'],
      ['missing deliveryAddress', { deliveryAddress: undefined }, 'deliveryAddress'],
      ['deliveryAddress as an array', { deliveryAddress: [anAddress()] }, 'deliveryAddress'],
      ['an empty city', { deliveryAddress: anAddress({ city: '  ' }) }, 'deliveryAddress.city'],
      [
        'a 201-character street',
        { deliveryAddress: anAddress({ street: 'x'.repeat(201) }) },
        'deliveryAddress.street',
      ],
      [
        'a missing country',
        { deliveryAddress: { ...anAddress(), country: undefined } },
        'deliveryAddress.country',
      ],
      [
        'an unknown address field',
        { deliveryAddress: { ...anAddress(), floor: 3 } },
        'deliveryAddress.floor',
      ],
      ['a 101-character firstName', { firstName: 'x'.repeat(101) }, 'firstName'],
      ['a numeric lastName', { lastName: 42 }, 'lastName'],
      ['a 9-digit phone number', { phoneNumber: '123456789' }, 'phoneNumber'],
      ['a phone number with letters', { phoneNumber: '555123456a' }, 'phoneNumber'],
      ['a 16-digit phone number', { phoneNumber: '1234567890123456' }, 'phoneNumber'],
      ['a non-ISO createdAt', { createdAt: 'yesterday' }, 'createdAt'],
      ['an operator in a value', { emails: { $gt: '' } }, 'emails'],
      ['an operator as a key', { $where: 'sleep(1000)' }, '$where'],
    ])('rejects %s with 400 naming the field', async (_case, override, field) => {
      const body = { emails: [uniqueEmail()], deliveryAddress: anAddress(), ...override };
      const problem = expectProblem(await send('POST', '/users', body), 400);
      expect(problem.errors).toEqual(
        expect.arrayContaining([{ field, message: expect.any(String) }]),
      );
    });

    it('rejects malformed JSON, non-object bodies and prototype pollution with 400', async () => {
      expectProblem(await send('POST', '/users', '{"emails": ['), 400);
      expectProblem(await send('POST', '/users', '[]'), 400);
      expectProblem(await send('POST', '/users', '"text"'), 400);
      expectProblem(await send('POST', '/users', 'null'), 400);
      expectProblem(await send('POST', '/users', '{"__proto__": {"polluted": true}}'), 400);
      expectProblem(
        await send('POST', '/users', '{"constructor": {"prototype": {"polluted": true}}}'),
        400,
      );
      expect(({} as Json).polluted).toBeUndefined();
    });

    it('rejects bodies over 64 KiB with 413 and non-JSON bodies with 415', async () => {
      const huge = {
        emails: [uniqueEmail()],
        deliveryAddress: anAddress(),
        pad: 'x'.repeat(70_000),
      };
      expectProblem(await send('POST', '/users', huge), 413);
      const plain = await inject({
        method: 'POST',
        url: '/users',
        headers: { 'content-type': 'text/plain' },
        payload: 'hello',
      });
      expectProblem(plain, 415);
    });

    it('rejects an email owned by another user with 409 naming it, case-insensitively', async () => {
      const email = uniqueEmail('taken');
      await createUser({ emails: [email] });
      const problem = expectProblem(
        await send('POST', '/users', {
          emails: [uniqueEmail(), `  ${email.toUpperCase()}`],
          deliveryAddress: anAddress(),
        }),
        409,
      );
      expect(problem).toMatchObject({ type: 'urn:aware:problem:email-taken', title: 'Conflict' });
      expect(problem.detail).toContain(email);
    });

    it('releases the other emails of a create that failed with 409', async () => {
      const taken = uniqueEmail('taken');
      const free = uniqueEmail('free');
      await createUser({ emails: [taken] });
      expectProblem(
        await send('POST', '/users', { emails: [free, taken], deliveryAddress: anAddress() }),
        409,
      );
      await createUser({ emails: [free] });
    });

    it('lets exactly one of 20 parallel creates with the same email succeed', async () => {
      const email = uniqueEmail('race');
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          send('POST', '/users', {
            emails: [index % 2 ? email : email.toUpperCase(), uniqueEmail()],
            deliveryAddress: anAddress(),
          }),
        ),
      );
      const statuses = responses.map((response) => response.statusCode).sort();
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    });
  });
});
