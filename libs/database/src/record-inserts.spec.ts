import type { Model } from 'mongoose';
import { insertRecord, insertRecords } from './record-inserts';

function modelWith(collection: { insertOne?: jest.Mock; insertMany?: jest.Mock }): Model<object> {
  return { collection } as unknown as Model<object>;
}

describe('record inserts', () => {
  it('insert a copy, so the driver’s _id does not appear on the caller’s record', async () => {
    const insertOne = jest.fn((document: Record<string, unknown>) => {
      document._id = 'generated';
      return Promise.resolve({ acknowledged: true });
    });
    const record = { orderId: 'o1' };

    await insertRecord(modelWith({ insertOne }), record);

    expect(record).toEqual({ orderId: 'o1' });
    expect(insertOne).toHaveBeenCalledWith(
      { orderId: 'o1', _id: 'generated' },
      {
        ignoreUndefined: true,
      },
    );
  });

  it('leave undefined fields out and pass the ordering on for many records', async () => {
    const insertMany = jest.fn().mockResolvedValue({ acknowledged: true });

    await insertRecords(modelWith({ insertMany }), [{ a: 1 }, { b: 2 }], { ordered: false });

    expect(insertMany).toHaveBeenCalledWith([{ a: 1 }, { b: 2 }], {
      ignoreUndefined: true,
      ordered: false,
    });
  });
});
