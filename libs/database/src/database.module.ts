import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AppConfig } from '@aware/common';
import { DbCommandMonitor } from './db-command-monitor';
import { MongoMonitorWatchdog } from './mongo-monitor-watchdog';

/** Longest any single database operation may take, unless it says otherwise. */
const OPERATION_TIMEOUT_MS = 20_000;
/** The fan-out of one user change to all their orders may touch many documents. */
export const FAN_OUT_TIMEOUT_MS = 300_000;

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
        // A client-side deadline for every operation. Without it, a command written to a socket
        // that was reset under it waits forever for a 'drain' that never comes (seen with the
        // driver through a proxy that resets connections): its request, its user's write lock
        // or its message's prefetch slot would be held for good. The order fan-out sets its own.
        timeoutMS: OPERATION_TIMEOUT_MS,
        // Polling hello on a schedule rather than a long-awaited streaming hello: each check
        // then has its own short timeout.
        serverMonitoringMode: 'poll',
        // Fail fast with a 503 during an outage instead of queueing writes in memory.
        bufferCommands: false,
        retryAttempts: 5,
        retryDelay: 1_000,
        // Bench mode: the driver emits an event per command for DbCommandMonitor.
        monitorCommands: config.dbCommandStats,
      }),
    }),
  ],
  providers: [DbCommandMonitor, MongoMonitorWatchdog],
})
export class DatabaseModule {}
