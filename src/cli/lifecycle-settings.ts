/** What the CLI puts into lifecycles it starts: the pseudonym secret, the identity wait, change tuning. */
import { loadLifecycleStarterConfig, loadWorkflowDefaults } from '../config';
import type { LifecycleSettings } from '../operations/hr-events';
import type { Env } from './io';

export function lifecycleSettings(env: Env): LifecycleSettings {
  return { ...loadLifecycleStarterConfig(env), change: loadWorkflowDefaults(env) };
}
