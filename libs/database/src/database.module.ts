import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AppConfig } from '@aware/common';
import { DbCommandMonitor } from './db-command-monitor';

/** The MongoDB connection of one service, from MONGO_URI (database name in its path). */
@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        uri: config.mongoUri,
        serverSelectionTimeoutMS: 5_000,
        // Fail fast with a 503 during an outage instead of queueing writes in memory.
        bufferCommands: false,
        retryAttempts: 5,
        retryDelay: 1_000,
        // Bench mode: the driver emits an event per command for DbCommandMonitor.
        monitorCommands: config.dbCommandStats,
      }),
    }),
  ],
  providers: [DbCommandMonitor],
})
export class DatabaseModule {}
