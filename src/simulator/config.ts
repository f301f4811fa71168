/**
 * Run-time behaviour of the simulator. The same shape is accepted (as any subset) by
 * `POST /__sim/config`, by `SimulatorOptions.config` and, for `profile`, by `--profile`.
 */
import { z } from 'zod';

const rate = z.number().min(0).max(1);
const millis = z.number().int().min(0);

export const profileSchema = z.enum(['current', 'legacy']);
export type SimulatorProfile = z.infer<typeof profileSchema>;

/**
 * ISC down: every call to ISC (its API under /v3 and /v2025, and /oauth/token) answers `status`, or, with
 * `reset`, has its connection dropped without an answer; null (the default) lifts it. /__sim is never down.
 */
const outageSchema = z
  .object({ status: z.union([z.number().int().min(400).max(599), z.literal('reset')]) })
  .strict()
  .nullable();
export type SimulatorOutage = z.infer<typeof outageSchema>;

export const simulatorConfigPatchSchema = z
  .object({
    approval: z
      .object({ mode: z.enum(['auto', 'manual']), delayMs: millis, delayMaxMs: millis, rejectRate: rate })
      .partial()
      .strict(),
    provisioning: z.object({ delayMs: millis, failRate: rate }).partial().strict(),
    faults: z
      .object({ latencyMs: millis, errorRate: rate, rateLimitRate: rate, lostResponseRate: rate, resetRate: rate })
      .partial()
      .strict(),
    rateLimit: z
      .object({ requests: z.number().int().min(1), windowSeconds: z.number().positive() })
      .partial()
      .strict(),
    removalLagMs: millis,
    profile: profileSchema,
    outage: outageSchema,
  })
  .partial()
  .strict();

export type SimulatorConfigPatch = z.infer<typeof simulatorConfigPatchSchema>;

export interface SimulatorConfig {
  /** Automatic approvals take `delayMs`, or a uniform draw up to `delayMaxMs` when that is larger. */
  approval: { mode: 'auto' | 'manual'; delayMs: number; delayMaxMs: number; rejectRate: number };
  provisioning: { delayMs: number; failRate: number };
  faults: { latencyMs: number; errorRate: number; rateLimitRate: number; lostResponseRate: number; resetRate: number };
  rateLimit: { requests: number; windowSeconds: number };
  removalLagMs: number;
  profile: SimulatorProfile;
  outage: SimulatorOutage;
}

/** Short delays so end-to-end tests finish quickly; ISC's documented rate limit. */
export function defaultConfig(): SimulatorConfig {
  return {
    approval: { mode: 'auto', delayMs: 200, delayMaxMs: 0, rejectRate: 0 },
    provisioning: { delayMs: 200, failRate: 0 },
    faults: { latencyMs: 0, errorRate: 0, rateLimitRate: 0, lostResponseRate: 0, resetRate: 0 },
    rateLimit: { requests: 100, windowSeconds: 10 },
    removalLagMs: 0,
    profile: 'current',
    outage: null,
  };
}

export function applyConfigPatch(base: SimulatorConfig, patch: SimulatorConfigPatch): SimulatorConfig {
  return {
    approval: { ...base.approval, ...patch.approval },
    provisioning: { ...base.provisioning, ...patch.provisioning },
    faults: { ...base.faults, ...patch.faults },
    rateLimit: { ...base.rateLimit, ...patch.rateLimit },
    removalLagMs: patch.removalLagMs ?? base.removalLagMs,
    profile: patch.profile ?? base.profile,
    outage: patch.outage === undefined ? base.outage : patch.outage,
  };
}
