import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { isResourceId } from '@aware/contracts';
import { NotFoundProblem } from './problem-details';

/**
 * Path ids are opaque: a value that could never be an id names nothing, so it is a 404 like any
 * other unknown id, and it is not echoed back.
 */
@Injectable()
export class ResourceIdPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (isResourceId(value)) return value;
    throw new NotFoundProblem(`No resource has this ${metadata.data ?? 'id'}.`);
  }
}
