import { anAddress, uniqueEmail } from '../../../test/support/fixtures';
import { startTestApp, type TestApp } from '../../../test/support/test-app';
import { USER_V2, userV2Module } from '../src/app.module';

describe('user-v2 server timestamps', () => {
  let service: TestApp;

  beforeAll(async () => {
    service = await startTestApp(USER_V2, userV2Module);
  });
  afterAll(() => service.close());

  it('sets createdAt/updatedAt itself and ignores client values', async () => {
    const before = Date.now();
    const response = await service.app.inject({
      method: 'POST',
      url: '/users',
      payload: {
        emails: [uniqueEmail()],
        deliveryAddress: anAddress(),
        createdAt: '2000-01-01T00:00:00Z',
        updatedAt: '2000-01-01T00:00:00Z',
      },
    });
    expect(response.statusCode).toBe(201);
    const user = response.json<{ createdAt: string; updatedAt: string }>();
    expect(Date.parse(user.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(user.updatedAt).toBe(user.createdAt);
    expect(user.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('still rejects a malformed client timestamp (same request shape as v1)', async () => {
    const response = await service.app.inject({
      method: 'POST',
      url: '/users',
      payload: { emails: [uniqueEmail()], deliveryAddress: anAddress(), createdAt: 'soon' },
    });
    expect(response.statusCode).toBe(400);
  });

  it('moves updatedAt forward on PUT and keeps createdAt', async () => {
    const created = await service.app.inject({
      method: 'POST',
      url: '/users',
      payload: { emails: [uniqueEmail()], deliveryAddress: anAddress() },
    });
    const user = created.json<{ userId: string; createdAt: string; updatedAt: string }>();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await service.app.inject({
      method: 'PUT',
      url: `/users/${user.userId}`,
      payload: { deliveryAddress: anAddress({ city: 'Elsewhere' }) },
    });
    const after = updated.json<{ createdAt: string; updatedAt: string }>();
    expect(after.createdAt).toBe(user.createdAt);
    expect(Date.parse(after.updatedAt)).toBeGreaterThan(Date.parse(user.updatedAt));
  });
});
