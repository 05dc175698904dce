import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { finalize, Observable } from 'rxjs';
import { currentOperationContext, runInOperation } from './operation-context';

/** The execution context type of @golevelup/nestjs-rabbitmq handlers. */
const RABBIT_CONTEXT = 'rmq';

interface AmqpMessageLike {
  properties?: { type?: unknown };
  fields?: { routingKey?: unknown };
}

/** `event <type>` from the message's `type` property, else its routing key. */
export function eventOperation(message: AmqpMessageLike | undefined): string {
  const type = message?.properties?.type ?? message?.fields?.routingKey;
  return `event ${typeof type === 'string' && type.length > 0 ? type : 'unknown'}`;
}

/** `PUT /users/:userId`: the route pattern, not the URL, so ids do not explode the labels. */
function httpOperation(request: Pick<FastifyRequest, 'method' | 'routeOptions'>): string {
  return `${request.method} ${request.routeOptions.url ?? 'unmatched'}`;
}

/**
 * Runs each HTTP handler and each consumed event in its own operation context, so the database
 * commands it issues are counted under it. When the handler has answered, the context is marked
 * finished: work it left running is then counted as after-response, not on the request path.
 */
export class OperationContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const operation = this.operationOf(context);
    if (operation === undefined) return next.handle();
    return new Observable((subscriber) =>
      runInOperation(operation, () => {
        const tracked = currentOperationContext();
        // next.handle() binds the handler to the async context it is called in: this one.
        return next
          .handle()
          .pipe(
            finalize(() => {
              if (tracked) tracked.finished = true;
            }),
          )
          .subscribe(subscriber);
      }),
    );
  }

  private operationOf(context: ExecutionContext): string | undefined {
    if (context.getType<string>() === RABBIT_CONTEXT) {
      return eventOperation(context.getArgByIndex<AmqpMessageLike | undefined>(1));
    }
    if (context.getType() === 'http') {
      return httpOperation(context.switchToHttp().getRequest<FastifyRequest>());
    }
    return undefined;
  }
}
