import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '@aware/common';
import type { OrderStatus } from '@aware/contracts';

/** Problem types only the order service answers with; the generic ones are in @aware/common. */
export const OrderProblemType = {
  invalidTransition: 'urn:aware:problem:invalid-status-transition',
  orderDelivered: 'urn:aware:problem:order-delivered',
} as const;

/** A status only moves forward (docs/api.md). */
export class InvalidStatusTransitionProblem extends ProblemException {
  constructor(orderId: string, current: OrderStatus, requested: OrderStatus) {
    super(
      HttpStatus.CONFLICT,
      OrderProblemType.invalidTransition,
      `Order ${orderId} is ${current}; it cannot go back to ${requested}.`,
    );
  }
}

export class OrderDeliveredProblem extends ProblemException {
  constructor(orderId: string) {
    super(
      HttpStatus.CONFLICT,
      OrderProblemType.orderDelivered,
      `Order ${orderId} is delivered; its details can no longer change.`,
    );
  }
}
