import { randomUUID } from 'node:crypto';
import type { Db, IndexDescription, ObjectId } from 'mongodb';
import { ORDERS_COLLECTION, type OrderRecord } from '@aware/database';
import { anAddress, uniqueEmail } from './fixtures';

/**
 * The orders indexes as the release before orders were keyed by their orderId created them:
 * `orderId_1` unique (the key of an order then), the listing and sync indexes as today.
 */
const OLDER_ORDER_INDEXES: IndexDescription[] = [
  { key: { orderId: 1 }, name: 'orderId_1', unique: true },
  { key: { createdAt: 1, orderId: 1 } },
  { key: { orderStatus: 1, createdAt: 1, orderId: 1 } },
  { key: { userId: 1, createdAt: 1, orderId: 1 } },
  { key: { userId: 1, userVersion: 1 } },
];

/** An orders collection as that release set it up (db:setup or the service's own indexes). */
export async function setUpOrdersAsOlderRelease(db: Db): Promise<void> {
  await db.createCollection(ORDERS_COLLECTION);
  await db.collection(ORDERS_COLLECTION).createIndexes(OLDER_ORDER_INDEXES);
}

/** An order as that release stored it: the driver gave it an ObjectId `_id`. */
export async function insertOlderOrder(
  db: Db,
  fields: Partial<OrderRecord>,
): Promise<OrderRecord & { _id: ObjectId }> {
  const createdAt = new Date(Date.now() - 60_000);
  const order: OrderRecord = {
    orderId: randomUUID(),
    items: [{ itemId: 'sku-older', quantity: 1, price: 5 }],
    totalPrice: 5,
    userEmails: [uniqueEmail('older')],
    deliveryAddress: anAddress({ street: '1 Older St' }),
    orderStatus: 'under process',
    userVersion: 1,
    createdAt,
    updatedAt: createdAt,
    ...fields,
  };
  const { insertedId } = await db.collection(ORDERS_COLLECTION).insertOne({ ...order });
  return { ...order, _id: insertedId };
}
