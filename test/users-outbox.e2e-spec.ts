import { createConnection, type Connection, type Model } from 'mongoose';
import { User, UserSchema, UsersRepository, type UserRecord } from '@aware/database';
import { dropDatabases, throwawayMongoUri } from './support/infra';

/**
 * The outbox's own bookkeeping on the real engine: the relay finds a version by its key, and
 * marking one published drops the versions it supersedes, key by key.
 */
describe('users outbox: versions marked published and pruned', () => {
  const uri = throwawayMongoUri('users_outbox');
  let connection: Connection;
  let users: Model<User>;
  let repository: UsersRepository;
  let nextUser = 0;

  beforeAll(async () => {
    connection = await createConnection(uri).asPromise();
    users = connection.model(User.name, UserSchema);
    repository = new UsersRepository(users);
  });

  afterAll(async () => {
    await connection.close();
    await dropDatabases(uri);
  });

  function version(userId: string, number: number, published: boolean): UserRecord {
    return {
      userId,
      version: number,
      emails: [`${userId}-v${number}@example.com`],
      deliveryAddress: { street: 's', city: 'c', state: 'st', postalCode: 'p', country: 'US' },
      event: {
        eventId: `00000000-0000-4000-8000-${String(number).padStart(12, '0')}`,
        type: number === 1 ? 'user.created' : 'user.updated',
        occurredAt: new Date(),
        producer: 'user-v1',
      },
      published,
    };
  }

  async function userWith(versions: [number, boolean][]): Promise<string> {
    nextUser += 1;
    const userId = `outbox-user-${nextUser}`;
    for (const [number, published] of versions) {
      expect(await repository.insertVersion(version(userId, number, published))).toBe(true);
    }
    return userId;
  }

  async function stored(userId: string): Promise<[number, boolean][]> {
    const rows = await users.find({ userId }).sort({ version: 1 }).lean<UserRecord[]>();
    return rows.map((row) => [row.version, row.published]);
  }

  it('finds a version by its key, and nothing for one that is not there', async () => {
    const userId = await userWith([[1, false]]);
    expect(await repository.findVersion(userId, 1)).toMatchObject({ userId, version: 1 });
    expect(await repository.findVersion(userId, 2)).toBeNull();
  });

  it('drops the published version below the one it marks', async () => {
    const userId = await userWith([
      [1, true],
      [2, false],
    ]);
    await repository.markPublished([{ userId, version: 2 }]);
    expect(await stored(userId)).toEqual([[2, true]]);
  });

  it('drops versions never published on their own, down to the last one that was', async () => {
    const userId = await userWith([
      [1, true],
      [2, false],
      [3, false],
      [4, false],
    ]);
    await repository.markPublished([{ userId, version: 4 }]);
    expect(await stored(userId)).toEqual([[4, true]]);
  });

  it('leaves versions newer than the one it marks', async () => {
    const userId = await userWith([
      [1, true],
      [2, false],
      [3, false],
    ]);
    await repository.markPublished([{ userId, version: 2 }]);
    expect(await stored(userId)).toEqual([
      [2, true],
      [3, false],
    ]);
  });

  it('marks the versions of several users in one call, each pruning its own', async () => {
    const first = await userWith([
      [1, true],
      [2, false],
    ]);
    const second = await userWith([[1, false]]);
    await repository.markPublished([
      { userId: first, version: 2 },
      { userId: second, version: 1 },
    ]);
    expect(await stored(first)).toEqual([[2, true]]);
    expect(await stored(second)).toEqual([[1, true]]);
  });

  it('marks more versions than fit in one command, all of them', async () => {
    // More statements than FerretDB's SQLite connection pool: in one command they would wait on
    // each other for good.
    const users = await Promise.all(Array.from({ length: 120 }, () => userWith([[1, false]])));
    await repository.markPublished(users.map((userId) => ({ userId, version: 1 })));
    for (const userId of users) expect(await stored(userId)).toEqual([[1, true]]);
  });

  it('lists each user with pending events once, at its newest pending version', async () => {
    const first = await userWith([
      [1, false],
      [2, false],
    ]);
    const second = await userWith([[1, false]]);
    const pending = await repository.unpublishedBefore(new Date(Date.now() + 1_000), 1_000);
    expect(pending).toEqual(
      expect.arrayContaining([
        { userId: first, version: 2 },
        { userId: second, version: 1 },
      ]),
    );
    expect(pending.filter((each) => each.userId === first)).toHaveLength(1);
  });
});
