import { createTwoFilesPatch } from 'diff';
import { AdminApiRefusedError, AdminApiUnreachableError } from './kong-admin-client';
import { KongConfigError } from './kong-config';
import {
  MetricsUnavailableError,
  trafficBetween,
  type MetricsSnapshot,
  type TrafficWindow,
} from './service-metrics';

/** Exit codes of the rollout command; a pipeline can branch on each. */
export enum RolloutExit {
  Done = 0,
  Failed = 1,
  /** Bad flags or a config the renderer refused: nothing was sent to Kong. */
  Usage = 2,
  AdminApiUnreachable = 3,
  AdminApiRefused = 4,
  /** A step breached a threshold and the previous good P was restored. */
  RolledBack = 5,
  /** user-v2's metrics could not be read during a step, so the previous good P was restored. */
  MetricsUnavailable = 6,
}

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
  readonly sleep: (ms: number) => Promise<void>;
  readonly log: (line: string) => void;
  readonly warn: (line: string) => void;
}

/** When a step counts as bad: any breach rolls back. */
export interface RolloutThresholds {
  /** Highest acceptable share of 5xx answers from user-v2, 0-1. */
  readonly maxErrorRate: number;
  readonly maxP99Ms: number;
  /** Fewer requests than this in a step is too little evidence, which counts as a breach. */
  readonly minRequests: number;
}

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

/** Why a step is bad, or undefined when it is within every threshold. */
export function breachOf(window: TrafficWindow, thresholds: RolloutThresholds): string | undefined {
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
      for (const [index, step] of plan.steps.entries()) {
        await this.deps.admin.loadConfig(configs[index]);
        this.deps.log(`rollout: step ${index + 1}/${plan.steps.length}: ${describeSplit(step)}`);
        const breach = await this.judgeStep(plan);
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

  private async judgeStep(
    plan: ProgressivePlan,
  ): Promise<{ reason: string; exit: RolloutExit } | undefined> {
    try {
      const before = await this.deps.scrapeV2Metrics();
      await this.deps.sleep(plan.intervalMs);
      const window = trafficBetween(before, await this.deps.scrapeV2Metrics());
      this.deps.log(`rollout:   user-v2: ${describeWindow(window)}`);
      const reason = breachOf(window, plan.thresholds);
      return reason === undefined ? undefined : { reason, exit: RolloutExit.RolledBack };
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
