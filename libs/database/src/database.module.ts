import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AppConfig } from '@aware/common';

/** The MongoDB connection of one service, from MONGO_URI (database name in its path). */
@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        uri: config.mongoUri,
        // Every wait is bounded, so a cut or a silently dropped connection ends in an error (a
        // 503) and a fresh connection instead of an operation or a heartbeat that never returns.
        serverSelectionTimeoutMS: 5_000,
        connectTimeoutMS: 5_000,
        heartbeatFrequencyMS: 2_000,
        // Above the slowest legitimate command (a fan-out updateMany); a socket silent for
        // longer is dead, and destroying it frees its pool slot.
        socketTimeoutMS: 120_000,
        waitQueueTimeoutMS: 5_000,
        // Polling hello on a schedule rather than a long-awaited streaming hello: each check
        // then has its own short timeout.
        serverMonitoringMode: 'poll',
        // Fail fast with a 503 during an outage instead of queueing writes in memory.
        bufferCommands: false,
        retryAttempts: 5,
        retryDelay: 1_000,
      }),
    }),
  ],
})
export class DatabaseModule {}
