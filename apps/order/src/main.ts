import { bootstrapService } from '@aware/common';
import { ORDER, orderModule } from './app.module';

void bootstrapService(ORDER, orderModule);
