import { createTwoFilesPatch } from 'diff';
import { AdminApiRefusedError, AdminApiUnreachableError } from './kong-admin-client';
import { KongConfigError } from './kong-config';
import {
  gatewayTrafficBetween,
  targetHealthProblem,
  USER_UPSTREAM,
  USER_V2_KONG_SERVICES,
  type GatewayStatusSnapshot,
  type GatewayWindow,
} from './kong-status-metrics';
import {
  MetricsUnavailableError,
  trafficBetween,
  type MetricsSnapshot,
  type TrafficWindow,
} from './service-metrics';

/** Exit codes of the rollout command (its usage lists them); a pipeline can branch on each. */
export const RolloutExit = {
  Done: 0,
  Failed: 1,
  /** Bad flags or a config the renderer refused: nothing was sent to Kong. */
  Usage: 2,
  AdminApiUnreachable: 3,
  AdminApiRefused: 4,
  /**
   * A step breached a threshold and the previous good P was restored (or user-v2 was unhealthy
   * at the gateway before the first step, and nothing changed).
   */
  RolledBack: 5,
  /**
   * user-v2's metrics or Kong's status API could not be read, so the previous good P was
   * restored (or, before the first step, nothing changed).
   */
  MetricsUnavailable: 6,
} as const;
export type RolloutExit = (typeof RolloutExit)[keyof typeof RolloutExit];

/** The Admin API operations the rollout needs (KongAdminClient in production). */
export interface GatewayAdmin {
  loadConfig(declarativeConfig: string): Promise<void>;
  currentPercent(): Promise<number>;
}

export interface RolloutDependencies {
  readonly admin: GatewayAdmin;
  /** Renders the full declarative config for P. */
  readonly render: (percentToV1: number) => Promise<string>;
  /** Scrapes user-v2's /metrics. */
  readonly scrapeV2Metrics: () => Promise<MetricsSnapshot>;
  /**
   * Scrapes Kong's status API: the answers Kong made itself and its targets' health. Absent where
   * the gateway's upstreams are not the ones kong/kong.yaml.tmpl names (the Kubernetes target):
   * there only user-v2's own metrics judge a step.
   */
  readonly scrapeGatewayStatus?: () => Promise<GatewayStatusSnapshot>;
  /** user-v2's target in the user upstream (host:port, as the config names it). */
  readonly userV2Target: string;
  readonly sleep: (ms: number) => Promise<void>;
  readonly log: (line: string) => void;
  readonly warn: (line: string) => void;
}

/** When a step counts as bad: any breach rolls back. */
interface RolloutThresholds {
  /** Highest acceptable share of 5xx answers from user-v2, 0-1. */
  readonly maxErrorRate: number;
  readonly maxP99Ms: number;
  /**
   * Fewer requests to user-v2 than this in a step is too little evidence, which counts as a
   * breach (not at P=100, where user-v2 gets nothing by design).
   */
  readonly minRequests: number;
}

/** How often user-v2's health at the gateway is read during a step. */
const GATEWAY_HEALTH_POLL_MS = 10_000;

export interface ProgressivePlan {
  readonly steps: readonly number[];
  readonly intervalMs: number;
  readonly thresholds: RolloutThresholds;
}

function describeSplit(percentToV1: number): string {
  return `P=${percentToV1} (user-v1 ${percentToV1} %, user-v2 ${100 - percentToV1} %)`;
}

function describeWindow(window: TrafficWindow): string {
  const p99 = window.p99Ms === undefined ? 'n/a' : `${window.p99Ms.toFixed(1)} ms`;
  return `${window.requests} requests, ${window.serverErrors} 5xx (${(window.errorRate * 100).toFixed(2)} %), p99 ${p99}`;
}

function describeGatewayWindow(window: GatewayWindow): string {
  return `${window.requests} requests on the user routes, ${window.gatewayErrors} 5xx answered by Kong itself (${(window.errorRate * 100).toFixed(2)} %)`;
}

/** Why the gateway's own answers make a step bad (5xx no service counted), or undefined. */
function gatewayBreachOf(window: GatewayWindow, thresholds: RolloutThresholds): string | undefined {
  if (window.errorRate <= thresholds.maxErrorRate) return undefined;
  return `Kong answered ${window.gatewayErrors} of ${window.requests} user requests itself with a 5xx (${(window.errorRate * 100).toFixed(2)} % above ${(thresholds.maxErrorRate * 100).toFixed(2)} %)`;
}

/** Why a step is bad, or undefined when it is within every threshold. */
function breachOf(window: TrafficWindow, thresholds: RolloutThresholds): string | undefined {
  if (window.requests < thresholds.minRequests) {
    return `only ${window.requests} requests reached user-v2 (at least ${thresholds.minRequests} required)`;
  }
  if (window.errorRate > thresholds.maxErrorRate) {
    return `error rate ${(window.errorRate * 100).toFixed(2)} % above ${(thresholds.maxErrorRate * 100).toFixed(2)} %`;
  }
  if (window.p99Ms !== undefined && window.p99Ms > thresholds.maxP99Ms) {
    return `p99 ${window.p99Ms.toFixed(1)} ms above ${thresholds.maxP99Ms} ms`;
  }
  return undefined;
}

/** Moves the v1/v2 split through Kong's Admin API; every failure maps to a RolloutExit. */
export class Rollout {
  constructor(private readonly deps: RolloutDependencies) {}

  /** `rollout set <P>`: one change, or with dryRun the diff it would make. */
  async set(percentToV1: number, dryRun: boolean): Promise<RolloutExit> {
    return this.guard(async () => {
      const config = await this.deps.render(percentToV1);
      const current = await this.deps.admin.currentPercent();
      if (dryRun) {
        await this.printDiff(current, percentToV1, config);
        return RolloutExit.Done;
      }
      await this.deps.admin.loadConfig(config);
      this.deps.log(`rollout: ${describeSplit(current)} -> ${describeSplit(percentToV1)}`);
      this.remindToPersist(percentToV1);
      return RolloutExit.Done;
    });
  }

  /** `rollout progressive`: step by step, judging user-v2 after each step, rolling back on a breach. */
  async progressive(plan: ProgressivePlan, dryRun: boolean): Promise<RolloutExit> {
    return this.guard(async () => {
      // Render every step first: a config the renderer refuses stops the plan before any change.
      const configs = await Promise.all(plan.steps.map((step) => this.deps.render(step)));
      let lastGood = await this.deps.admin.currentPercent();
      if (dryRun) {
        let previous = lastGood;
        for (const [index, step] of plan.steps.entries()) {
          await this.printDiff(previous, step, configs[index]);
          previous = step;
        }
        return RolloutExit.Done;
      }
      this.deps.log(`rollout: starting at ${describeSplit(lastGood)}`);
      const notReady = await this.v2HealthAt(lastGood);
      if (notReady !== undefined) {
        this.deps.warn(`rollout: not starting: ${notReady.reason}; P stays at ${lastGood}`);
        return notReady.exit;
      }
      for (const [index, step] of plan.steps.entries()) {
        await this.deps.admin.loadConfig(configs[index]);
        this.deps.log(`rollout: step ${index + 1}/${plan.steps.length}: ${describeSplit(step)}`);
        const breach = await this.judgeStep(plan, step);
        if (breach !== undefined) {
          this.deps.warn(`rollout: breach at P=${step}: ${breach.reason}; rolling back`);
          await this.restore(lastGood);
          return breach.exit;
        }
        lastGood = step;
      }
      this.deps.log(`rollout: done at ${describeSplit(lastGood)}`);
      this.remindToPersist(lastGood);
      return RolloutExit.Done;
    });
  }

  /** user-v2's health at the gateway under the split in force (P), before anything changes. */
  private async v2HealthAt(
    percentToV1: number,
  ): Promise<{ reason: string; exit: RolloutExit } | undefined> {
    const scrapeGatewayStatus = this.deps.scrapeGatewayStatus;
    if (scrapeGatewayStatus === undefined) return undefined;
    return this.judging(async () => {
      const problem = this.v2HealthProblem(await scrapeGatewayStatus(), percentToV1);
      return problem === undefined ? undefined : { reason: problem, exit: RolloutExit.RolledBack };
    });
  }

  private v2HealthProblem(status: GatewayStatusSnapshot, percentToV1: number): string | undefined {
    return targetHealthProblem(status, USER_UPSTREAM, this.deps.userV2Target, percentToV1 === 100);
  }

  private async judgeStep(
    plan: ProgressivePlan,
    step: number,
  ): Promise<{ reason: string; exit: RolloutExit } | undefined> {
    const scrapeGatewayStatus = this.deps.scrapeGatewayStatus;
    if (scrapeGatewayStatus === undefined) return this.judgeStepByV2Metrics(plan, step);
    return this.judging(async () => {
      const gatewayBefore = await scrapeGatewayStatus();
      const before = await this.deps.scrapeV2Metrics();
      // user-v2's health is read through the interval, so a target Kong took out of the split
      // rolls back within one poll instead of at the end of a long step.
      let gatewayNow = gatewayBefore;
      let waited = 0;
      do {
        const slice = Math.min(GATEWAY_HEALTH_POLL_MS, plan.intervalMs - waited);
        await this.deps.sleep(slice);
        waited += slice;
        gatewayNow = await scrapeGatewayStatus();
        const unhealthy = this.v2HealthProblem(gatewayNow, step);
        if (unhealthy !== undefined) return { reason: unhealthy, exit: RolloutExit.RolledBack };
      } while (waited < plan.intervalMs);
      const window = trafficBetween(before, await this.deps.scrapeV2Metrics());
      const gateway = gatewayTrafficBetween(gatewayBefore, gatewayNow, USER_V2_KONG_SERVICES);
      this.deps.log(`rollout:   user-v2: ${describeWindow(window)}`);
      this.deps.log(`rollout:   gateway: ${describeGatewayWindow(gateway)}`);
      const v2Thresholds = step === 100 ? { ...plan.thresholds, minRequests: 0 } : plan.thresholds;
      const reason = breachOf(window, v2Thresholds) ?? gatewayBreachOf(gateway, plan.thresholds);
      return reason === undefined ? undefined : { reason, exit: RolloutExit.RolledBack };
    });
  }

  /** A step judged by user-v2's own metrics alone, where the gateway's status is not read. */
  private async judgeStepByV2Metrics(
    plan: ProgressivePlan,
    step: number,
  ): Promise<{ reason: string; exit: RolloutExit } | undefined> {
    return this.judging(async () => {
      const before = await this.deps.scrapeV2Metrics();
      await this.deps.sleep(plan.intervalMs);
      const window = trafficBetween(before, await this.deps.scrapeV2Metrics());
      this.deps.log(`rollout:   user-v2: ${describeWindow(window)}`);
      const v2Thresholds = step === 100 ? { ...plan.thresholds, minRequests: 0 } : plan.thresholds;
      const reason = breachOf(window, v2Thresholds);
      return reason === undefined ? undefined : { reason, exit: RolloutExit.RolledBack };
    });
  }

  /** Runs a judgement; readings that cannot be taken are a breach of their own. */
  private async judging(
    judge: () => Promise<{ reason: string; exit: RolloutExit } | undefined>,
  ): Promise<{ reason: string; exit: RolloutExit } | undefined> {
    try {
      return await judge();
    } catch (error) {
      if (!(error instanceof MetricsUnavailableError)) throw error;
      // A version that cannot be watched cannot be judged healthy.
      return { reason: error.message, exit: RolloutExit.MetricsUnavailable };
    }
  }

  /** The gateway renders its config from P_VALUE again whenever its container restarts. */
  private remindToPersist(percentToV1: number): void {
    this.deps.log(
      `rollout: to keep this split across gateway restarts, set P_VALUE=${percentToV1} in .env`,
    );
  }

  private async restore(percentToV1: number): Promise<void> {
    try {
      await this.deps.admin.loadConfig(await this.deps.render(percentToV1));
    } catch (error) {
      if (error instanceof Error)
        error.message = `rollback to P=${percentToV1} failed: ${error.message}`;
      throw error;
    }
    this.deps.warn(`rollout: rolled back to ${describeSplit(percentToV1)}`);
  }

  private async printDiff(from: number, to: number, toConfig: string): Promise<void> {
    const fromConfig = await this.deps.render(from);
    if (fromConfig === toConfig) {
      this.deps.log(`rollout (dry run): already at ${describeSplit(to)}, no change`);
      return;
    }
    this.deps.log(`rollout (dry run): ${describeSplit(from)} -> ${describeSplit(to)}`);
    this.deps.log(
      createTwoFilesPatch(
        `kong.yml (P=${from})`,
        `kong.yml (P=${to})`,
        fromConfig,
        toConfig,
        '',
        '',
        {
          context: 2,
        },
      ).trimEnd(),
    );
  }

  private async guard(run: () => Promise<RolloutExit>): Promise<RolloutExit> {
    try {
      return await run();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.warn(`rollout: ${message}`);
      if (error instanceof KongConfigError) return RolloutExit.Usage;
      if (error instanceof AdminApiUnreachableError) return RolloutExit.AdminApiUnreachable;
      if (error instanceof AdminApiRefusedError) return RolloutExit.AdminApiRefused;
      return RolloutExit.Failed;
    }
  }
}
