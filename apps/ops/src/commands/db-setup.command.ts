import type { Connection } from 'mongoose';
import {
  ORDERS_DATABASE_COLLECTIONS,
  setUpDatabase,
  USERS_DATABASE_COLLECTIONS,
  type CollectionDefinition,
  type CollectionSetup,
} from '@aware/database';
import { OpsExit, parseFlags, type OpsCommand, type OpsOutput } from '../ops-command';
import { withDatabases } from '../ops-databases';
import { seedAndReport } from './db-seed.command';

export const VALIDATORS_UNSUPPORTED_WARNING =
  'warning: this server does not enforce $jsonSchema validators (FerretDB, DocumentDB); collections set up without them';

function setupLine(database: string, setup: CollectionSetup): string {
  const outcome = setup.validated
    ? setup.created
      ? 'created with its validator'
      : 'already present, validator updated'
    : setup.created
      ? 'created without validator'
      : 'already present';
  const rebuilt = setup.rebuiltIndexes.map(({ was, now }) => `; index ${was} rebuilt as ${now}`);
  return `db:setup: ${database}.${setup.collection}: ${outcome}${rebuilt.join('')}; indexes ensured`;
}

/** Sets up one database; false when its server refused validators. */
async function setUp(
  connection: Connection,
  definitions: readonly CollectionDefinition[],
  output: OpsOutput,
): Promise<boolean> {
  const results = await setUpDatabase(connection, definitions);
  for (const result of results) output.log(setupLine(connection.name, result));
  return results.every((result) => result.validated);
}

export const dbSetupCommand: OpsCommand = {
  name: 'db:setup',
  synopsis: '[--seed]',
  description: 'collections, $jsonSchema validators, indexes; --seed also seeds',
  parse(args) {
    const flags = parseFlags(args, { seed: { type: 'boolean', default: false } });
    return ({ config, output }) =>
      withDatabases(config, async (databases) => {
        const usersValidated = await setUp(databases.users, USERS_DATABASE_COLLECTIONS, output);
        const ordersValidated = await setUp(databases.orders, ORDERS_DATABASE_COLLECTIONS, output);
        if (!usersValidated || !ordersValidated) output.warn(VALIDATORS_UNSUPPORTED_WARNING);
        if (flags.seed) await seedAndReport(databases, output);
        return OpsExit.Done;
      });
  },
};
