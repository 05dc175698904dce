import { DynamicModule, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import {
  READINESS_CHECKS,
  REPORTED_DEPENDENCIES,
  type ReadinessCheck,
  type ReportedDependency,
} from './readiness-check';

interface HealthModuleOptions {
  /** Modules that export the checks' own dependencies. */
  imports?: ModuleMetadata['imports'];
  /** What readiness waits for: the service cannot serve HTTP without it. */
  checks: Type<ReadinessCheck>[];
  /** What readiness only reports; provided (and exported) by a global module such as events. */
  reported?: Type<ReportedDependency>[];
}

@Module({})
export class HealthModule {
  static forRoot(options: HealthModuleOptions): DynamicModule {
    const reported = options.reported ?? [];
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false }), ...(options.imports ?? [])],
      controllers: [HealthController],
      providers: [
        ...options.checks,
        {
          provide: READINESS_CHECKS,
          useFactory: (...checks: ReadinessCheck[]) => checks,
          inject: options.checks,
        },
        {
          provide: REPORTED_DEPENDENCIES,
          useFactory: (...dependencies: ReportedDependency[]) => dependencies,
          inject: reported,
        },
      ],
    };
  }
}
