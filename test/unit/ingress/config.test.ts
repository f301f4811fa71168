import { inspect } from 'node:util';
import { ConfigError } from '../../../src/config';
import { DEV_WEBHOOK_SECRET, loadIngressConfig, withDevelopmentWebhookSecret } from '../../../src/ingress';
import { thrownBy } from '../../support/errors';
import { ISC_PASSWORD, ISC_TOKEN, newSecret, SECRET } from '../../support/ingress/harness';

const problems = (env: Record<string, string>): string[] =>
  thrownBy(() => loadIngressConfig(env), ConfigError).problems;

describe('loadIngressConfig', () => {
  it('has defaults for everything but the webhook secrets, and is frozen', () => {
    const config = loadIngressConfig({ ISCFLOW_WEBHOOK_SECRETS: SECRET });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      iscTrigger: undefined,
      terminatedLifecycleStates: ['terminated', 'inactive'],
      logLevel: 'info',
    });
    expect(config.webhookSecrets).toHaveLength(1);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.webhookSecrets)).toBe(true);
    expect(Object.isFrozen(config.terminatedLifecycleStates)).toBe(true);
  });

  it('reads every setting; blank values are unset (as compose passes them)', () => {
    const config = loadIngressConfig({
      ISCFLOW_INGRESS_HOST: '0.0.0.0',
      ISCFLOW_INGRESS_PORT: '9090',
      ISCFLOW_WEBHOOK_SECRETS: `${newSecret()} , ${SECRET}`,
      ISCFLOW_ISC_TRIGGER_TOKEN: ISC_TOKEN,
      ISCFLOW_ISC_TRIGGER_BASIC: `isc:${ISC_PASSWORD}`,
      ISCFLOW_TERMINATED_LIFECYCLE_STATES: 'Terminated, LEAVER,terminated',
      LOG_LEVEL: '',
    });
    expect(config.host).toBe('0.0.0.0');
    expect(config.port).toBe(9090);
    expect(config.webhookSecrets).toHaveLength(2);
    expect(config.iscTrigger?.bearerTokenDigest).toHaveLength(32);
    expect(config.iscTrigger?.basicDigest).toHaveLength(32);
    expect(config.terminatedLifecycleStates).toEqual(['terminated', 'leaver']);
    expect(config.logLevel).toBe('info');
  });

  it('names every problem at once, never repeating a secret', () => {
    const pasted = 'sk_live_0123456789abcdef';
    const found = problems({
      ISCFLOW_INGRESS_PORT: '70000',
      ISCFLOW_WEBHOOK_SECRETS: `${pasted},,whsec_c2hvcnQ=`,
      ISCFLOW_ISC_TRIGGER_TOKEN: 'short-token',
      ISCFLOW_ISC_TRIGGER_BASIC: 'no-colon-here',
      ISCFLOW_TERMINATED_LIFECYCLE_STATES: 'terminated,,inactive',
      LOG_LEVEL: 'loud',
    });
    expect(found).toEqual([
      'ISCFLOW_INGRESS_PORT: must be 0 to 65535',
      'ISCFLOW_WEBHOOK_SECRETS: entry 1: must be whsec_ followed by base64',
      'ISCFLOW_WEBHOOK_SECRETS: entry 2: is empty (a stray comma?)',
      'ISCFLOW_WEBHOOK_SECRETS: entry 3: must be 24 to 64 bytes, not 5',
      'ISCFLOW_ISC_TRIGGER_TOKEN: must be at least 32 characters (e.g. openssl rand -base64 32)',
      'ISCFLOW_ISC_TRIGGER_BASIC: must be user:password with a non-empty user',
      'ISCFLOW_TERMINATED_LIFECYCLE_STATES: must be lifecycle state names, comma-separated, none empty',
      expect.stringMatching(/^LOG_LEVEL: /),
    ]);
    expect(found.join('\n')).not.toContain(pasted);
    expect(found.join('\n')).not.toContain('short-token');
  });

  it('requires the webhook secrets, and a long enough basic-auth password', () => {
    expect(problems({ ISCFLOW_ISC_TRIGGER_BASIC: 'isc:short' })).toEqual([
      'ISCFLOW_WEBHOOK_SECRETS: is required: one or more whsec_<base64> secrets, comma-separated',
      'ISCFLOW_ISC_TRIGGER_BASIC: the password must be at least 16 characters',
    ]);
  });

  it('shows no secret material when logged or printed whole', () => {
    const config = loadIngressConfig({
      ISCFLOW_WEBHOOK_SECRETS: SECRET,
      ISCFLOW_ISC_TRIGGER_TOKEN: ISC_TOKEN,
      ISCFLOW_ISC_TRIGGER_BASIC: `isc:${ISC_PASSWORD}`,
    });
    const printed = `${inspect(config, { depth: 5 })}\n${JSON.stringify(config)}`;
    expect(printed).not.toContain(SECRET.slice(6));
    expect(printed).not.toContain(ISC_TOKEN);
    expect(printed).not.toContain(ISC_PASSWORD);
  });
});

describe('withDevelopmentWebhookSecret (npm run dev)', () => {
  it('leaves configured secrets alone', () => {
    const env = { ISCFLOW_WEBHOOK_SECRETS: SECRET, SAIL_BASE_URL: 'https://acme.api.identitynow.com' };
    expect(withDevelopmentWebhookSecret(env)).toEqual({ env, developmentSecret: false });
  });

  it.each([
    ['no tenant (the simulator is started)', {}],
    ['a simulator on loopback', { SAIL_BASE_URL: 'http://127.0.0.1:7070' }],
    ['localhost', { SAIL_BASE_URL: 'http://localhost:7070', ISCFLOW_WEBHOOK_SECRETS: ' ' }],
  ])('uses the development secret with %s, and says so', (_name, env: Record<string, string>) => {
    const result = withDevelopmentWebhookSecret(env);
    expect(result.developmentSecret).toBe(true);
    expect(result.env.ISCFLOW_WEBHOOK_SECRETS).toBe(DEV_WEBHOOK_SECRET);
    expect(loadIngressConfig(result.env).webhookSecrets).toHaveLength(1);
  });

  it.each(['https://acme.api.identitynow.com', 'http://10.0.0.5:7070', 'not a url'])(
    'refuses the development secret with a real tenant (%s): the variable is required',
    (url) => {
      expect(() => withDevelopmentWebhookSecret({ SAIL_BASE_URL: url })).toThrow(ConfigError);
      expect(() => withDevelopmentWebhookSecret({ SAIL_BASE_URL: url })).toThrow(
        /ISCFLOW_WEBHOOK_SECRETS: is required with a real tenant/,
      );
    },
  );
});
