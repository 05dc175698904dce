/** Updating a user's emails and address: versions, email ownership, concurrency, If-Match. */
import { anAddress, uniqueEmail } from './support/fixtures';
import type { Json } from './support/http';
import { expectProblem, startUsersApi, USER_SERVICES } from './support/users-api';

describe.each(USER_SERVICES)('users API ($identity.name)', (service) => {
  const { send, createUser } = startUsersApi(service);

  describe('PUT /users/{userId}', () => {
    it('updates emails and address, bumps the version and returns the updated user', async () => {
      const user = await createUser();
      const email = uniqueEmail('new');
      const response = await send('PUT', `/users/${String(user.userId)}`, {
        emails: [` ${email.toUpperCase()}`],
        deliveryAddress: anAddress({ city: 'Shelbyville' }),
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        userId: user.userId,
        emails: [email],
        deliveryAddress: anAddress({ city: 'Shelbyville' }),
        version: 2,
      });
      expect(response.headers.etag).toBe('"2"');
      const fetched = (await send('GET', `/users/${String(user.userId)}`)).json<Json>();
      expect(fetched).toMatchObject({ emails: [email], version: 2 });
    });

    it('updates only the address when only the address is sent', async () => {
      const user = await createUser();
      const response = await send('PUT', `/users/${String(user.userId)}/`, {
        deliveryAddress: anAddress({ street: '2 Side St' }),
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ emails: user.emails, version: 2 });
    });

    it('answers 200 without a new version when nothing changes', async () => {
      const user = await createUser();
      const response = await send('PUT', `/users/${String(user.userId)}`, {
        emails: (user.emails as string[]).map((email) => email.toUpperCase()),
        deliveryAddress: anAddress(),
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(user);
    });

    it.each([
      ['an empty body', {}],
      ['firstName', { firstName: 'Ada' }],
      ['userId', { userId: '3b241101-e2bb-4255-8caf-4136c566a962', emails: ['x@y.io'] }],
      ['an invalid email', { emails: ['nope'] }],
      ['an incomplete address', { deliveryAddress: { city: 'X' } }],
    ])('rejects %s with 400 and changes nothing', async (_case, body) => {
      const user = await createUser();
      expectProblem(await send('PUT', `/users/${String(user.userId)}`, body), 400);
      expect((await send('GET', `/users/${String(user.userId)}`)).json()).toEqual(user);
    });

    it('answers 404 for an unknown user', async () => {
      expectProblem(
        await send('PUT', '/users/3b241101-e2bb-4255-8caf-4136c566a962', {
          emails: [uniqueEmail()],
        }),
        404,
      );
    });

    it('answers 409 for an email owned by another user and changes nothing', async () => {
      const other = await createUser();
      const user = await createUser();
      const taken = (other.emails as string[])[0];
      const problem = expectProblem(
        await send('PUT', `/users/${String(user.userId)}`, { emails: [taken.toUpperCase()] }),
        409,
      );
      expect(problem.detail).toContain(taken);
      expect((await send('GET', `/users/${String(user.userId)}`)).json()).toEqual(user);
    });

    it('frees a removed email for other users', async () => {
      const email = uniqueEmail('moving');
      const first = await createUser({ emails: [email] });
      await send('PUT', `/users/${String(first.userId)}`, { emails: [uniqueEmail()] });
      await createUser({ emails: [email] });
    });

    it('keeps an email unique when two users race to add it', async () => {
      const email = uniqueEmail('race');
      const users = await Promise.all(Array.from({ length: 10 }, () => createUser()));
      const responses = await Promise.all(
        users.map((user) => send('PUT', `/users/${String(user.userId)}`, { emails: [email] })),
      );
      expect(responses.filter((response) => response.statusCode === 200)).toHaveLength(1);
      expect(responses.filter((response) => response.statusCode === 409)).toHaveLength(9);
    });

    it('applies concurrent updates of one user one after another', async () => {
      const user = await createUser();
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          send('PUT', `/users/${String(user.userId)}`, {
            deliveryAddress: anAddress({ street: `${index} Race St` }),
          }),
        ),
      );
      expect(responses.map((response) => response.statusCode)).toEqual(Array(8).fill(200));
      const versions = responses
        .map((response) => response.json<Json>().version as number)
        .sort((a, b) => a - b);
      expect(versions).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it('honours If-Match: 200 when current, 412 when stale', async () => {
      const user = await createUser();
      const url = `/users/${String(user.userId)}`;
      const ok = await send(
        'PUT',
        url,
        { deliveryAddress: anAddress({ city: 'A' }) },
        {
          'if-match': '"1"',
        },
      );
      expect(ok.statusCode).toBe(200);
      const stale = await send(
        'PUT',
        url,
        { deliveryAddress: anAddress({ city: 'B' }) },
        {
          'if-match': '"1"',
        },
      );
      expectProblem(stale, 412);
      expect((await send('GET', url)).json()).toMatchObject({
        version: 2,
        deliveryAddress: anAddress({ city: 'A' }),
      });
    });
  });
});
