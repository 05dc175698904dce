import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';

interface AtomicUpdatesProbeOptions {
  /** Independent races; every one must have exactly one winner. */
  rounds?: number;
  /** Concurrent claims per round, each on its own pooled connection. */
  contenders?: number;
}

/**
 * Whether the engine applies a conditional update atomically across connections, found by doing
 * it: in each round `contenders` concurrent findOneAndUpdate calls claim one free document, and
 * exactly one may win. An engine that reads, then writes (FerretDB 1.x) lets several win in
 * almost every round; one that locks the row (MongoDB, DocumentDB) never does. The probe uses a
 * collection of its own and drops it.
 */
export async function probeAtomicConditionalUpdates(
  db: Db,
  { rounds = 5, contenders = 16 }: AtomicUpdatesProbeOptions = {},
): Promise<boolean> {
  const probe = db.collection<{ _id: number; claimedBy: number | null }>(
    `engine_probe_${randomUUID().slice(0, 8)}`,
  );
  try {
    // Opens the connections first, so the claims below run side by side, not in a queue.
    await Promise.all(Array.from({ length: contenders }, () => db.command({ ping: 1 })));
    for (let round = 0; round < rounds; round += 1) {
      await probe.insertOne({ _id: round, claimedBy: null });
      const claims = await Promise.all(
        Array.from({ length: contenders }, (_, contender) =>
          probe.findOneAndUpdate(
            { _id: round, claimedBy: null },
            { $set: { claimedBy: contender } },
          ),
        ),
      );
      if (claims.filter((claim) => claim !== null).length !== 1) return false;
    }
    return true;
  } finally {
    await probe.drop().catch(() => undefined);
  }
}
