/**
 * The one way iscflow makes a Temporal client (the CLI per invocation, the ingress for its lifetime, the
 * worker for its activities, `npm run dev`), from the validated configuration and the payload protection
 * `loadPayloadProtection` chose: every client of a deployment reads and writes payloads the same way.
 */
import { Client, Connection, type ConnectionLike } from '@temporalio/client';
import type { PayloadProtection } from '../codec';
import type { TemporalConfig } from '../config';

export interface TemporalSession {
  client: Client;
  taskQueue: string;
  close(): Promise<void>;
}

/** A client of `namespace` over `connection` that encrypts and decrypts payloads as `payloads` says. */
export function clientFor(
  connection: ConnectionLike,
  namespace: string,
  payloads: Pick<PayloadProtection, 'dataConverter'>,
): Client {
  return new Client({ connection, namespace, dataConverter: payloads.dataConverter });
}

export async function openTemporal(
  config: Readonly<TemporalConfig>,
  payloads: Pick<PayloadProtection, 'dataConverter'>,
): Promise<TemporalSession> {
  const connection = await Connection.connect({
    address: config.connection.address,
    tls: config.connection.tls,
    apiKey: config.connection.apiKey,
    metadata: config.connection.metadata,
  });
  return {
    client: clientFor(connection, config.namespace, payloads),
    taskQueue: config.taskQueue,
    close: () => connection.close(),
  };
}
