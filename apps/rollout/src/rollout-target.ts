import { KongAdminClient } from './kong-admin-client';
import { renderKongConfig } from './kong-config';
import { scrapeKongStatus } from './kong-status-metrics';
import type { RolloutDependencies } from './rollout';

/**
 * Where the rollout moves the v1/v2 split: what it renders for a P (before changing anything, so
 * a refused render stops a plan early), how it applies that and how it reads the current P. The
 * gates, steps and rollback are the same for every target.
 */
export type RolloutTarget = Pick<
  RolloutDependencies,
  'admin' | 'render' | 'scrapeGatewayStatus' | 'userV2Target'
>;

export const ROLLOUT_TARGETS = ['kong', 'kubernetes'] as const;
export type RolloutTargetName = (typeof ROLLOUT_TARGETS)[number];

/** compose: the whole declarative config rendered by kong/render.sh, loaded with POST /config. */
export function kongRolloutTarget(
  adminUrl: string,
  kongStatusUrl: string,
  timeoutMs: number,
  gatewayEnv: NodeJS.ProcessEnv,
): RolloutTarget {
  const userV2Target = gatewayEnv.GATEWAY_USER_V2_TARGET || 'user-v2:3000';
  return {
    admin: new KongAdminClient(
      adminUrl,
      timeoutMs,
      gatewayEnv.GATEWAY_USER_V1_TARGET || 'user-v1:3000',
      userV2Target,
    ),
    render: (percentToV1) => renderKongConfig({ ...gatewayEnv, P_VALUE: String(percentToV1) }),
    scrapeGatewayStatus: () => scrapeKongStatus(kongStatusUrl, timeoutMs),
    userV2Target,
  };
}
