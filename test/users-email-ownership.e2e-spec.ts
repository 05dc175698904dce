/**
 * Email ownership and saved writes under concurrency, against the real database: the races a
 * single-writer engine (FerretDB) and several connections make possible.
 */
import { getConnectionToken } from '@nestjs/mongoose';
import type { LightMyRequestResponse } from 'fastify';
import type { Connection } from 'mongoose';
import { USER_V1, userV1Module } from '../apps/user-v1/src/app.module';
import { anAddress, uniqueEmail } from './support/fixtures';
import { startTestApp, type TestApp } from './support/test-app';

type Json = Record<string, unknown>;

const HOUR_MS = 60 * 60 * 1000;

describe('email ownership under concurrency', () => {
  let service: TestApp;
  let db: Connection;

  beforeAll(async () => {
    service = await startTestApp(USER_V1, userV1Module);
    db = service.app.get<Connection>(getConnectionToken());
  });
  afterAll(() => service.close());

  const send = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    service.app.inject({
      method,
      url,
      headers: { 'content-type': 'application/json' },
      ...(payload !== undefined && { payload: JSON.stringify(payload) }),
    });

  /** Owners of `email` among `responses`, as the service now reports them. */
  const ownersOf = async (email: string, responses: LightMyRequestResponse[]) => {
    const owners: string[] = [];
    for (const created of responses.filter((response) => response.statusCode === 201)) {
      const userId = String(created.json<Json>().userId);
      const now = await send('GET', `/users/${userId}`);
      if ((now.json<Json>().emails as string[]).includes(email)) owners.push(userId);
    }
    return owners;
  };

  it('lets exactly one of 4 simultaneous creates take over an expired leftover claim (10 rounds)', async () => {
    for (let round = 0; round < 10; round += 1) {
      const email = uniqueEmail(`leftover${round}`);
      // What a create cut off by a database outage leaves: a claim of a user never written.
      await db.collection('email_claims').insertOne({
        _id: email as never,
        email,
        generation: 0,
        userId: `ghost-${round}`,
        claimedAt: new Date(Date.now() - HOUR_MS),
      });
      const responses = await Promise.all(
        Array.from({ length: 4 }, () =>
          send('POST', '/users', { emails: [email], deliveryAddress: anAddress() }),
        ),
      );
      const statuses = responses.map((response) => response.statusCode).sort();
      expect(statuses).toEqual([201, 409, 409, 409]);
      expect(await ownersOf(email, responses)).toHaveLength(1);
    }
  });

  it('never reports a saved change as failed: 40 simultaneous email changes of one user', async () => {
    const created = await send('POST', '/users', {
      emails: [uniqueEmail('busy')],
      deliveryAddress: anAddress(),
    });
    const userId = String(created.json<Json>().userId);
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        send('PUT', `/users/${userId}`, { emails: [uniqueEmail(`busy${i}`)] }),
      ),
    );
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status !== 200 && status !== 409)).toEqual([]);
    const saved = responses.filter((response) => response.statusCode === 200);
    expect(saved.length).toBeGreaterThan(0);
    // Every 200 is a stored version: the newest version is one of the answered ones.
    const final = (await send('GET', `/users/${userId}`)).json<Json>();
    const answeredVersions = saved.map((response) => response.json<Json>().version);
    expect(answeredVersions).toContain(final.version);
    expect(new Set(answeredVersions).size).toBe(saved.length);
  });

  it('frees the emails a user dropped: another user can take them at once', async () => {
    const kept = uniqueEmail('kept');
    const dropped = uniqueEmail('dropped');
    const owner = await send('POST', '/users', {
      emails: [kept, dropped],
      deliveryAddress: anAddress(),
    });
    const ownerId = String(owner.json<Json>().userId);
    expect((await send('PUT', `/users/${ownerId}`, { emails: [kept] })).statusCode).toBe(200);
    const taker = await send('POST', '/users', { emails: [dropped], deliveryAddress: anAddress() });
    expect(taker.statusCode).toBe(201);
    const back = await send('PUT', `/users/${ownerId}`, { emails: [kept, dropped] });
    expect(back.statusCode).toBe(409);
  });
});
