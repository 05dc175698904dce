import { seedDatabases, type SeedCount } from '@aware/database';
import { OpsExit, parseFlags, type OpsCommand, type OpsOutput } from '../ops-command';
import { withDatabases, type OpsDatabases } from '../ops-databases';

function seedLine(what: string, count: SeedCount): string {
  return `db:seed: ${what}: ${count.inserted} inserted, ${count.present} already present`;
}

/** Seeds both databases and prints what was inserted and what was already there. */
export async function seedAndReport(databases: OpsDatabases, output: OpsOutput): Promise<void> {
  const report = await seedDatabases(databases.repositories);
  output.log(seedLine('users', report.users));
  output.log(seedLine('email claims', report.emailClaims));
  output.log(seedLine('user projections', report.projections));
  output.log(seedLine('orders', report.orders));
}

export const dbSeedCommand: OpsCommand = {
  name: 'db:seed',
  synopsis: '',
  description: 'insert the sample 5 users and 15 orders, if absent',
  parse(args) {
    parseFlags(args, {});
    return ({ config, output }) =>
      withDatabases(config, async (databases) => {
        await seedAndReport(databases, output);
        return OpsExit.Done;
      });
  },
};
