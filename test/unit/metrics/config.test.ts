/**
 * The metrics endpoint's settings: where the worker serves /metrics by default, how to turn it off, and
 * bad values reported with the worker's own problems in one error.
 */
import { ConfigError } from '../../../src/config';
import { DEFAULT_METRICS_PORT, loadMetricsConfig } from '../../../src/metrics/config';
import { loadWorkerSettings } from '../../../src/worker';

const tenant = {
  SAIL_BASE_URL: 'https://acme.api.identitynow.com',
  SAIL_CLIENT_ID: 'id',
  SAIL_CLIENT_SECRET: 'secret',
  // A real tenant needs payload keys (see docs/privacy.md).
  ISCFLOW_PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
};

describe('loadMetricsConfig', () => {
  it('serves on loopback port 9464 unless told otherwise', () => {
    expect(DEFAULT_METRICS_PORT).toBe(9464);
    expect(loadMetricsConfig({})).toEqual({ bindAddress: '127.0.0.1:9464' });
    expect(loadMetricsConfig({ ISCFLOW_METRICS_PORT: '', ISCFLOW_METRICS_HOST: ' ' })).toEqual({
      bindAddress: '127.0.0.1:9464',
    });
  });

  it('binds where the deployment says, IPv6 included, or nowhere with off', () => {
    expect(loadMetricsConfig({ ISCFLOW_METRICS_HOST: '0.0.0.0', ISCFLOW_METRICS_PORT: '9500' })).toEqual({
      bindAddress: '0.0.0.0:9500',
    });
    expect(loadMetricsConfig({ ISCFLOW_METRICS_HOST: '::', ISCFLOW_METRICS_PORT: '9464' })).toEqual({
      bindAddress: '[::]:9464',
    });
    expect(loadMetricsConfig({ ISCFLOW_METRICS_PORT: 'off' })).toEqual({});
  });

  it('refuses a port that is not one, and a host with a path or a scheme', () => {
    for (const port of ['0', '70000', '94.5', 'nine']) {
      expect(() => loadMetricsConfig({ ISCFLOW_METRICS_PORT: port })).toThrow(/ISCFLOW_METRICS_PORT/);
    }
    expect(() => loadMetricsConfig({ ISCFLOW_METRICS_HOST: 'http://0.0.0.0/' })).toThrow(/ISCFLOW_METRICS_HOST/);
  });
});

describe('loadWorkerSettings', () => {
  it('reads the worker’s settings and the metrics endpoint’s together', () => {
    const { config, metrics } = loadWorkerSettings({ ...tenant, ISCFLOW_METRICS_PORT: '9999' });
    expect(config.isc.baseUrl).toBe(tenant.SAIL_BASE_URL);
    expect(metrics).toEqual({ bindAddress: '127.0.0.1:9999' });
  });

  it('names every problem of both in one error', () => {
    const error = (() => {
      try {
        loadWorkerSettings({ SAIL_BASE_URL: tenant.SAIL_BASE_URL, ISCFLOW_METRICS_PORT: 'nine' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/SAIL_CLIENT_ID/);
    expect(problems).toMatch(/SAIL_CLIENT_SECRET/);
    expect(problems).toMatch(/ISCFLOW_METRICS_PORT/);
  });
});
