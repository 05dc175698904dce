import mongoose, { type Connection } from 'mongoose';
import {
  EmailClaim,
  EmailClaimSchema,
  EmailClaimsRepository,
  Order,
  OrderSchema,
  OrdersRepository,
  User,
  UserProjection,
  UserProjectionSchema,
  UserProjectionsRepository,
  UserSchema,
  UsersRepository,
} from '@aware/database';
import type { OpsConfig } from './ops-config';

/** Both databases, with the repositories the commands use. */
export interface OpsDatabases {
  users: Connection;
  orders: Connection;
  repositories: {
    users: UsersRepository;
    emailClaims: EmailClaimsRepository;
    orders: OrdersRepository;
    projections: UserProjectionsRepository;
  };
}

function openConnection(uri: string): Promise<Connection> {
  return mongoose
    .createConnection(uri, {
      // db:setup creates collections (with their validators) and indexes itself; left on,
      // mongoose would create them without validators as soon as a model is compiled.
      autoCreate: false,
      autoIndex: false,
      serverSelectionTimeoutMS: 5_000,
    })
    .asPromise();
}

/** Opens the users and orders databases for `run` and closes them after it, however it ends. */
export async function withDatabases<T>(
  config: OpsConfig,
  run: (databases: OpsDatabases) => Promise<T>,
): Promise<T> {
  const opened = await Promise.allSettled([
    openConnection(config.usersMongoUri),
    openConnection(config.ordersMongoUri),
  ]);
  const connections = opened.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  try {
    const [users, orders] = opened.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });
    return await run({
      users,
      orders,
      repositories: {
        users: new UsersRepository(users.model(User.name, UserSchema)),
        emailClaims: new EmailClaimsRepository(users.model(EmailClaim.name, EmailClaimSchema)),
        orders: new OrdersRepository(orders.model(Order.name, OrderSchema)),
        projections: new UserProjectionsRepository(
          orders.model(UserProjection.name, UserProjectionSchema),
        ),
      },
    });
  } finally {
    await Promise.all(connections.map((connection) => connection.close()));
  }
}
