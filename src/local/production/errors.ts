/**
 * Why the native production topology could not be brought up. Each code names the missing or failing
 * piece, and the message says how to get it: a run that lacks Go or PostgreSQL fails loudly, it never
 * quietly skips what it cannot start.
 */
export type ProductionSetupCode =
  | 'COMPOSE_INVALID'
  | 'GO_MISSING'
  | 'TEMPORAL_BUILD_FAILED'
  | 'POSTGRES_MISSING'
  | 'POSTGRES_START_FAILED'
  | 'TEMPORAL_START_FAILED'
  | 'SETUP_JOB_FAILED'
  | 'PROCESS_FAILED';

export class ProductionSetupError extends Error {
  constructor(
    readonly code: ProductionSetupCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ProductionSetupError';
  }
}
