import { Controller, Get, HttpStatus, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { ApiProblemResponses } from '../docs/api-problem-responses.decorator';
import { ProblemException, ProblemType } from '../http/problem-details';
import {
  READINESS_CHECKS,
  REPORTED_DEPENDENCIES,
  type ReadinessCheck,
  type ReportedDependency,
  type ReportedStates,
} from './readiness-check';

class LivenessDto {
  /** Always `ok` while the process serves requests. */
  status!: 'ok';
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    @Inject(REPORTED_DEPENDENCIES) private readonly reported: ReportedDependency[],
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: 200 while the process runs' })
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: 200 when the service can serve its API (its database answers)',
    description:
      'The broker is reported under `reported` but never fails readiness: writes keep their ' +
      'events in the outbox, and the order API serves from its own database.',
  })
  @ApiOkResponse({ description: 'The database answers; `reported` gives the broker state.' })
  @ApiProblemResponses(HttpStatus.SERVICE_UNAVAILABLE)
  async ready(): Promise<HealthCheckResult & { reported: ReportedStates }> {
    const reported = this.reportedStates();
    try {
      const result = await this.health.check(this.checks.map((check) => () => check.check()));
      return { ...result, reported };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const down = Object.keys(result.error ?? {});
      throw new ProblemException(
        HttpStatus.SERVICE_UNAVAILABLE,
        ProblemType.unavailable,
        `Not ready: ${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} down.`,
        { checks: result.details, reported },
      );
    }
  }

  private reportedStates(): ReportedStates {
    return Object.fromEntries(
      this.reported.map((dependency) => [
        dependency.name,
        { status: dependency.isUp() ? 'up' : 'down' },
      ]),
    );
  }
}
