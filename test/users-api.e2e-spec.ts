import type { LightMyRequestResponse } from 'fastify';
import { USER_V1, userV1Module } from '../apps/user-v1/src/app.module';
import { USER_V2, userV2Module } from '../apps/user-v2/src/app.module';
import { anAddress, uniqueEmail } from './support/fixtures';
import { startTestApp, type TestApp } from './support/test-app';

type Json = Record<string, unknown>;

describe.each([
  { identity: USER_V1, rootModule: userV1Module },
  { identity: USER_V2, rootModule: userV2Module },
])('users API ($identity.name)', ({ identity, rootModule }) => {
  let service: TestApp;

  beforeAll(async () => {
    service = await startTestApp(identity, rootModule);
  });
  afterAll(() => service.close());

  const send = (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> =>
    service.app.inject({
      method,
      url,
      headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(payload !== undefined && {
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      }),
    });

  const createUser = async (body: Json = {}): Promise<Json> => {
    const response = await send('POST', '/users', {
      emails: [uniqueEmail()],
      deliveryAddress: anAddress(),
      ...body,
    });
    expect(response.statusCode).toBe(201);
    return response.json<Json>();
  };

  const expectProblem = (response: LightMyRequestResponse, status: number): Json => {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json<Json>();
    expect(problem).toMatchObject({ status, title: expect.any(String), type: expect.any(String) });
    expect(typeof problem.detail).toBe('string');
    expect(JSON.stringify(problem)).not.toMatch(/at .*\.(ts|js):\d+/);
    return problem;
  };

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
      const plain = await service.app.inject({
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

  describe('common headers', () => {
    it('sends X-Service-Version and echoes X-Request-ID, on success and on error', async () => {
      const ok = await send('GET', '/health', undefined, { 'x-request-id': 'trace-123' });
      expect(ok.headers['x-service-version']).toMatch(new RegExp(`^${identity.name}/\\d+\\.\\d+`));
      expect(ok.headers['x-request-id']).toBe('trace-123');
      const error = await send('GET', '/users/nobody');
      expect(error.headers['x-service-version']).toMatch(new RegExp(`^${identity.name}/`));
      expect(error.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('replaces an unsafe X-Request-ID with a generated one', async () => {
      const response = await send('GET', '/health', undefined, { 'x-request-id': 'a b<script>' });
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers unknown routes with a problem+json 404', async () => {
      expectProblem(await send('GET', '/nowhere'), 404);
    });
  });

  describe('health and docs', () => {
    it('reports liveness and readiness (MongoDB up)', async () => {
      expect((await send('GET', '/health')).json()).toEqual({ status: 'ok' });
      const ready = await send('GET', '/health/ready');
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({ status: 'ok', info: { mongodb: { status: 'up' } } });
    });

    it('exposes Prometheus metrics: HTTP by route and status, events, outbox backlog', async () => {
      await createUser();
      const response = await send('GET', '/metrics');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.body).toMatch(
        /http_requests_total\{method="POST",route="\/users",status="201"\} \d+/,
      );
      expect(response.body).toContain('http_request_duration_seconds_bucket');
      expect(response.body).toMatch(/aware_outbox_pending \d+/);
      expect(response.body).toMatch(/aware_outbox_oldest_age_seconds [\d.e+-]+/);
      expect(response.body).toContain('aware_events_published_total');
    });

    it('serves Swagger UI at /docs and the OpenAPI document at /docs/json', async () => {
      const ui = await send('GET', '/docs');
      expect(ui.statusCode).toBe(200);
      expect(ui.body).toContain('swagger');
      const doc = (await send('GET', '/docs/json')).json<{ paths: Record<string, Json> }>();
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/users', '/users/{userId}', '/health', '/health/ready']),
      );
    });
  });
});
