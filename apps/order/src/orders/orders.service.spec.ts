import type {
  IdempotentCreates,
  OrdersRepository,
  UserProjectionsRepository,
  UserState,
} from '@aware/database';
import { OrderLocks } from './order-locks';
import { OrdersService } from './orders.service';

const address = {
  street: '1 Main St',
  city: 'Springfield',
  state: 'IL',
  postalCode: '62701',
  country: 'US',
};
const known: UserState = {
  userId: 'u1',
  version: 4,
  emails: ['ada@example.com'],
  deliveryAddress: { ...address, street: '9 Elm St' },
};
const items = [{ itemId: 'sku-1', quantity: 2, price: 9.99 }];

function serviceWith(): {
  service: OrdersService;
  insert: jest.Mock;
  find: jest.Mock;
  forUser: jest.SpyInstance;
} {
  const insert = jest.fn().mockResolvedValue(undefined);
  const find = jest.fn().mockResolvedValue(known);
  const locks = new OrderLocks();
  const forUser = jest.spyOn(locks, 'forUser');
  const service = new OrdersService(
    { insert } as unknown as OrdersRepository,
    { find } as unknown as UserProjectionsRepository,
    locks,
    {} as IdempotentCreates,
  );
  return { service, insert, find, forUser };
}

describe('OrdersService.create', () => {
  it('keeps both contact fields of the request at version 0 without reading the user or locking', async () => {
    const { service, insert, find, forUser } = serviceWith();
    const dto = { userId: 'u1', items, userEmails: ['bob@example.com'], deliveryAddress: address };

    const { resource: order } = await service.create(dto);

    expect(find).not.toHaveBeenCalled();
    expect(forUser).not.toHaveBeenCalled();
    expect(order).toMatchObject({ userEmails: ['bob@example.com'], deliveryAddress: address });
    expect(insert).toHaveBeenCalledWith(expect.objectContaining({ userVersion: 0 }));
  });

  it('fills a missing field from the known user under that user’s lock, at the user’s version', async () => {
    const { service, insert, find, forUser } = serviceWith();
    const dto = { userId: 'u1', items, userEmails: ['bob@example.com'] };

    const { resource: order } = await service.create(dto);

    expect(find).toHaveBeenCalledWith('u1');
    expect(forUser).toHaveBeenCalledWith('u1', expect.any(Function));
    expect(order).toMatchObject({
      userEmails: ['bob@example.com'],
      deliveryAddress: known.deliveryAddress,
    });
    expect(insert).toHaveBeenCalledWith(expect.objectContaining({ userVersion: 4 }));
  });
});
