/**
 * The HR-event ingress: the HTTP front door for HR systems (Standard Webhooks signed JSON or
 * CloudEvents) and ISC event triggers, in front of an injected gateway to Temporal. See docs/ingress.md.
 */
export { buildIngress, type IngressOptions } from './app';
export {
  DEV_WEBHOOK_SECRET,
  loadIngressConfig,
  type IngressAppConfig,
  type IngressConfig,
  type IscTriggerAuth,
  withDevelopmentWebhookSecret,
} from './config';
export {
  eventLocation,
  type EventAcceptance,
  type EventDelivery,
  type EventStanding,
  eventStandingSchema,
  type LifecycleGateway,
  TemporalUnavailableError,
  type GatewayHandle,
  type OpenGateway,
} from './gateway';
export { ISC_EVENT_SOURCE, ISC_TRIGGERS, type IscTrigger } from './isc-triggers';
export { runIngress } from './main';
export { createTemporalGateway, openTemporalGateway, temporalGatewayFor } from './temporal-gateway';
export { type TryIt, tryItCommands } from './try-it';
export { INGRESS_PROBLEMS, type IngressProblemCode, type Problem } from './problems';
export {
  SIGNATURE_FAILURES,
  SIGNATURE_TOLERANCE_SECONDS,
  type SignatureFailure,
  signWebhook,
  verifyWebhookSignature,
  webhookSecretKey,
} from './signature';
