// OPS_PORT, OPS_HOST, METRICS_TOKEN: where the operator's endpoints are served. Secure by default:
// without a setting, /metrics is not served on PORT (the port Slack and load balancers reach);
// /healthz always is.
import type { OpsConfig } from './config-types.js';
import type { Environment, Problem } from './environment.js';

/** Long enough to stand against guessing over HTTP, like the dashboard's password. */
const MIN_TOKEN = 16;

export function readOps(env: Environment, port: number, problem: Problem): OpsConfig {
  let opsPort: number | undefined;
  if (env.OPS_PORT !== undefined) {
    opsPort = Number(env.OPS_PORT);
    if (!Number.isInteger(opsPort) || opsPort < 0 || opsPort > 65535) {
      problem('OPS_PORT', `must be a TCP port number from 0 to 65535 (got '${env.OPS_PORT}')`);
    } else if (opsPort === port && port !== 0) {
      problem('OPS_PORT', `must differ from PORT (${port}): it is a listener of its own for /metrics`);
    }
  }
  const host = env.OPS_HOST ?? '127.0.0.1';
  if (env.OPS_HOST !== undefined && env.OPS_PORT === undefined) {
    problem('OPS_HOST', 'is only read with OPS_PORT: set OPS_PORT too (e.g. 9464), or remove OPS_HOST');
  }
  if (/\s|\/|^$/.test(host)) {
    problem('OPS_HOST', `must be an address to listen on, such as 127.0.0.1 or 0.0.0.0 (got '${host}')`);
  }
  const token = env.METRICS_TOKEN;
  if (token !== undefined && !new RegExp(`^[A-Za-z0-9._~+/=-]{${MIN_TOKEN},}$`).test(token)) {
    problem(
      'METRICS_TOKEN',
      `must be at least ${MIN_TOKEN} characters of letters, digits and ._~+/=- (a Bearer token), e.g. from \`openssl rand -hex 24\``,
    );
  }
  return {
    ...(opsPort !== undefined ? { port: opsPort } : {}),
    host,
    ...(token !== undefined ? { metricsToken: token } : {}),
  };
}
