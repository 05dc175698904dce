import { bootstrapService } from '@aware/common';
import { USER_V1, userV1Module } from './app.module';

void bootstrapService(USER_V1, userV1Module);
