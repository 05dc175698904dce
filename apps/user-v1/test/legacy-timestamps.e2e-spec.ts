import { anAddress, uniqueEmail } from '../../../test/support/fixtures';
import { startTestApp, type TestApp } from '../../../test/support/test-app';
import { USER_V1, userV1Module } from '../src/app.module';

describe('user-v1 legacy timestamps', () => {
  let service: TestApp;

  beforeAll(async () => {
    service = await startTestApp(USER_V1, userV1Module);
  });
  afterAll(() => service.close());

  const post = (body: Record<string, unknown>) =>
    service.app.inject({
      method: 'POST',
      url: '/users',
      payload: { emails: [uniqueEmail()], deliveryAddress: anAddress(), ...body },
    });

  it('stores createdAt/updatedAt as the client sent them, in UTC', async () => {
    const response = await post({
      createdAt: '2020-05-01T12:00:00+02:00',
      updatedAt: '2021-01-01T00:00:00Z',
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      createdAt: '2020-05-01T10:00:00.000Z',
      updatedAt: '2021-01-01T00:00:00.000Z',
    });
  });

  it('leaves absent timestamps absent', async () => {
    const user = (await post({})).json<Record<string, unknown>>();
    expect(user).not.toHaveProperty('createdAt');
    expect(user).not.toHaveProperty('updatedAt');
    const fetched = await service.app.inject({
      method: 'GET',
      url: `/users/${String(user.userId)}`,
    });
    expect(fetched.json()).not.toHaveProperty('createdAt');
  });

  it('leaves updatedAt as it is on PUT', async () => {
    const user = (await post({ updatedAt: '2021-01-01T00:00:00.000Z' })).json<{ userId: string }>();
    const updated = await service.app.inject({
      method: 'PUT',
      url: `/users/${user.userId}`,
      payload: { deliveryAddress: anAddress({ city: 'Elsewhere' }) },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ updatedAt: '2021-01-01T00:00:00.000Z', version: 2 });
  });
});
