import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { RequestValidationException } from './problem-details';

/** Path ids are server-generated UUIDs; anything else is a client mistake (400), not a lookup. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (isUUID(value, 4)) return value;
    const field = metadata.data ?? 'id';
    throw new RequestValidationException(
      [{ field, message: `${field} must be a UUID` }],
      `${field} must be a UUID.`,
    );
  }
}
