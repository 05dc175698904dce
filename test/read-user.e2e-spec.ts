/** Reading a user by its id, and the ids that name no user. */
import { uniqueEmail } from './support/fixtures';
import { expectProblem, startUsersApi, USER_SERVICES } from './support/users-api';

describe.each(USER_SERVICES)('users API ($identity.name)', (service) => {
  const { send, createUser } = startUsersApi(service);

  describe('GET /users/{userId}', () => {
    it('returns the user with its ETag', async () => {
      const user = await createUser({ firstName: 'Grace' });
      const response = await send('GET', `/users/${String(user.userId)}`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(user);
      expect(response.headers.etag).toBe('"1"');
    });

    it('answers 404 for any id that names no user, whatever its shape', async () => {
      for (const id of [
        '3b241101-e2bb-4255-8caf-4136c566a962',
        'u1',
        'does-not-exist',
        'x'.repeat(65),
        'bad%20id',
        '%E2%80%8B',
      ]) {
        expectProblem(await send('GET', `/users/${id}`), 404);
        expectProblem(await send('PUT', `/users/${id}`, { emails: [uniqueEmail()] }), 404);
      }
      // A value that could never be an id is not echoed back.
      const tooLong = 'x'.repeat(65);
      const problem = expectProblem(await send('GET', `/users/${tooLong}`), 404);
      expect(String(problem.detail)).not.toContain(tooLong);
    });

    it('answers 404 for an upper-cased id: ids are opaque and compared exactly', async () => {
      const user = await createUser();
      const upper = String(user.userId).toUpperCase();
      expectProblem(await send('GET', `/users/${upper}`), 404);
    });
  });
});
