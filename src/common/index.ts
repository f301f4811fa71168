/**
 * Facts every layer needs (failure codes, workflow type names, search attributes, default options, an
 * access change's phases, ISC's request states), each written once. Workflow-safe: imported by workflows,
 * activities, the ISC client, the CLI, the configuration and deployment tooling alike.
 */
export * from './error-codes';
export * from './workflow-types';
export * from './search-attributes';
export * from './defaults';
export * from './phases';
export * from './isc-states';
