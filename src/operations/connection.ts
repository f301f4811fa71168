/**
 * One Temporal client for whoever starts and watches iscflow's workflows (the CLI per invocation, the
 * ingress for its lifetime), from the validated configuration.
 */
import { Client, Connection } from '@temporalio/client';
import type { TemporalConfig } from '../config';

export interface TemporalSession {
  client: Client;
  taskQueue: string;
  close(): Promise<void>;
}

export async function openTemporal(config: Readonly<TemporalConfig>): Promise<TemporalSession> {
  const connection = await Connection.connect({
    address: config.connection.address,
    tls: config.connection.tls,
    apiKey: config.connection.apiKey,
    metadata: config.connection.metadata,
  });
  return {
    client: new Client({ connection, namespace: config.namespace }),
    taskQueue: config.taskQueue,
    close: () => connection.close(),
  };
}
