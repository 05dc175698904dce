import { bootstrapService } from '@aware/common';
import { USER_V2, userV2Module } from './app.module';

void bootstrapService(USER_V2, userV2Module);
