import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { RootModuleFactory, ServiceIdentity } from '@aware/common';
import { USER_V1, userV1Module } from '../../apps/user-v1/src/app.module';
import { USER_V2, userV2Module } from '../../apps/user-v2/src/app.module';
import { anAddress, uniqueEmail } from './fixtures';
import type { Json } from './http';
import { startTestApp, type TestApp } from './test-app';

interface UserService {
  identity: ServiceIdentity;
  rootModule: RootModuleFactory;
}

/** Both user services: the users API behaves alike in each, so its tests run against both. */
export const USER_SERVICES: UserService[] = [
  { identity: USER_V1, rootModule: userV1Module },
  { identity: USER_V2, rootModule: userV2Module },
];

/** A user service running in-process for one test file, and requests bound to it. */
interface UsersApi {
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** A JSON request; a string payload is sent as is (malformed JSON, raw bodies). */
  send(
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    payload?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  /** POSTs a user with a fresh email and an address, overridden by `body`; expects 201. */
  createUser(body?: Json): Promise<Json>;
}

/**
 * Starts `service` (as main.ts does, on a throwaway database) before the enclosing describe's tests
 * and closes it after them; the requests may be called from tests only.
 */
export function startUsersApi({ identity, rootModule }: UserService): UsersApi {
  let service: TestApp | undefined;

  beforeAll(async () => {
    service = await startTestApp(identity, rootModule);
  });
  afterAll(() => service?.close());

  const inject = (options: InjectOptions): Promise<LightMyRequestResponse> => {
    if (!service) throw new Error(`${identity.name} did not start`);
    return service.app.inject(options);
  };
  const send: UsersApi['send'] = (method, url, payload, headers = {}) =>
    inject({
      method,
      url,
      headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(payload !== undefined && {
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      }),
    });

  return {
    inject,
    send,
    async createUser(body = {}) {
      const response = await send('POST', '/users', {
        emails: [uniqueEmail()],
        deliveryAddress: anAddress(),
        ...body,
      });
      expect(response.statusCode).toBe(201);
      return response.json<Json>();
    },
  };
}

export function expectProblem(response: LightMyRequestResponse, status: number): Json {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json<Json>();
  expect(problem).toMatchObject({ status, title: expect.any(String), type: expect.any(String) });
  expect(typeof problem.detail).toBe('string');
  expect(JSON.stringify(problem)).not.toMatch(/at .*\.(ts|js):\d+/);
  return problem;
}
