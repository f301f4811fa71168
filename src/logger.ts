/**
 * The one pino root logger. Children are passed down; nothing else creates loggers.
 * Secrets and tokens are redacted by key wherever they appear, so a careless `logger.info(obj)` cannot
 * leak them.
 */
import pino, { type Logger, type LevelWithSilent } from 'pino';

export const REDACTED_KEYS = [
  'clientSecret',
  'client_secret',
  'SAIL_CLIENT_SECRET',
  'TEMPORAL_API_KEY',
  'apiKey',
  'access_token',
  'accessToken',
  'token',
  'authorization',
  'Authorization',
  'ISCFLOW_PSEUDONYM_KEY',
  'pseudonymKey',
  'ISCFLOW_PAYLOAD_KEYS',
  'payloadKeys',
  'ISCFLOW_CODEC_TOKEN',
  'codecToken',
  'ISCFLOW_WEBHOOK_SECRETS',
  'webhookSecrets',
  'ISCFLOW_ISC_TRIGGER_TOKEN',
  'ISCFLOW_ISC_TRIGGER_BASIC',
  'webhook-signature',
];

export function createLogger(level: LevelWithSilent = 'info', destination?: pino.DestinationStream): Logger {
  const paths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `headers.${key}`]);
  return pino({ level, base: { service: 'iscflow' }, redact: { paths, censor: '[redacted]' } }, destination);
}

export type { Logger };
