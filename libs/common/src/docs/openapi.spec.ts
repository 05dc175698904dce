import type { PathsObject } from '@nestjs/swagger';
import { tagsInOrder } from './openapi';

describe('tagsInOrder', () => {
  it('lists the service’s own tags first, then health and metrics', () => {
    const paths: PathsObject = {
      '/metrics': { get: { tags: ['metrics'], responses: {} } },
      '/health': { get: { tags: ['health'], responses: {} } },
      '/users': { post: { tags: ['users'], responses: {} } },
      '/users/{userId}': {
        get: { tags: ['users'], responses: {} },
        put: { tags: ['users'], responses: {} },
      },
    };

    expect(tagsInOrder(paths)).toEqual([
      { name: 'users' },
      { name: 'health' },
      { name: 'metrics' },
    ]);
  });

  it('lists only the tags some operation uses', () => {
    expect(tagsInOrder({ '/orders': { get: { tags: ['orders'], responses: {} } } })).toEqual([
      { name: 'orders' },
    ]);
  });
});
