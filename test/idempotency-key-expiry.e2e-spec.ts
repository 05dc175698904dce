/**
 * Expiry of Idempotency-Keys against the real database: a key is honoured until the prune that
 * every instance runs removes it once expired, and then the key is free for a new request.
 */
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { IdempotencyKeyPruner } from '@aware/database';
import { USER_V1, userV1Module } from '../apps/user-v1/src/app.module';
import { anAddress, uniqueEmail } from './support/fixtures';
import { startTestApp, type TestApp } from './support/test-app';

type Json = Record<string, unknown>;

describe('Idempotency-Key expiry', () => {
  let service: TestApp;
  let db: Connection;

  beforeAll(async () => {
    service = await startTestApp(USER_V1, userV1Module, { IDEMPOTENCY_KEY_TTL_HOURS: '1' });
    db = service.app.get<Connection>(getConnectionToken());
  });
  afterAll(() => service.close());

  const create = (key: string, email: string) =>
    service.app.inject({
      method: 'POST',
      url: '/users',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      payload: JSON.stringify({ emails: [email], deliveryAddress: anAddress() }),
    });

  it('keeps a key IDEMPOTENCY_KEY_TTL_HOURS, honours it until pruned, then frees it', async () => {
    const key = `expiring-${uniqueEmail()}`;
    const email = uniqueEmail('first');
    const first = await create(key, email);
    expect(first.statusCode).toBe(201);
    const keys = db.collection<{ key: string; createdAt: Date; expiresAt: Date }>(
      'idempotency_keys',
    );
    const stored = await keys.findOne({ key });
    expect(stored!.expiresAt.getTime() - stored!.createdAt.getTime()).toBe(3_600_000);

    const live = `live-${uniqueEmail()}`;
    expect((await create(live, uniqueEmail('live'))).statusCode).toBe(201);
    await keys.updateOne({ key }, { $set: { expiresAt: new Date(Date.now() - 1_000) } });
    // Expired but not yet pruned: still answers the first answer.
    const replay = await create(key, email);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json<Json>().userId).toBe(first.json<Json>().userId);

    expect(await service.app.get(IdempotencyKeyPruner).prune()).toBeGreaterThanOrEqual(1);
    expect(await keys.countDocuments({ key })).toBe(0);
    expect(await keys.countDocuments({ key: live })).toBe(1);
    // Free again: another body with the key is a new request, not a 422.
    const reused = await create(key, uniqueEmail('second'));
    expect(reused.statusCode).toBe(201);
    expect(reused.json<Json>().userId).not.toBe(first.json<Json>().userId);
  });
});
