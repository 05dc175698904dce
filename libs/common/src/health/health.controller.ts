import { Controller, Get, HttpStatus, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { ApiProblemResponses } from '../docs/api-problem-responses.decorator';
import { ProblemException, ProblemType } from '../http/problem-details';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness-check';

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
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: 200 while the process runs' })
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: 200 only when every dependency is reachable' })
  @ApiOkResponse({ description: 'All dependencies are up.' })
  @ApiProblemResponses(HttpStatus.SERVICE_UNAVAILABLE)
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check(this.checks.map((check) => () => check.check()));
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const down = Object.keys(result.error ?? {});
      throw new ProblemException(
        HttpStatus.SERVICE_UNAVAILABLE,
        ProblemType.unavailable,
        `Not ready: ${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} down.`,
        { checks: result.details },
      );
    }
  }
}
