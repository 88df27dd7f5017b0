// DASHBOARD_*: the queue dashboard (bull-board) is off by default; it needs both a user and a
// password, and a password long enough to stand against guessing over HTTP Basic auth.
import type { AppConfig } from './config-types.js';
import type { Environment, Problem } from './environment.js';

const MIN_PASSWORD = 16;

export function readDashboard(env: Environment, problem: Problem): AppConfig['dashboard'] {
  const { DASHBOARD_USER: user, DASHBOARD_PASSWORD: password } = env;
  const path = env.DASHBOARD_PATH ?? '/admin/queues';
  if (
    !/^\/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$/.test(path) ||
    ['/healthz', '/metrics', '/slack'].some((p) => path.startsWith(p))
  )
    problem('DASHBOARD_PATH', `must be a URL path of its own such as /admin/queues (got '${path}')`);
  if (user === undefined && password === undefined) return undefined;
  if (!user)
    problem('DASHBOARD_USER', 'is required with DASHBOARD_PASSWORD: the user name of the queue dashboard');
  if (!password)
    problem('DASHBOARD_PASSWORD', 'is required with DASHBOARD_USER: the password of the queue dashboard');
  else if (password.length < MIN_PASSWORD)
    problem(
      'DASHBOARD_PASSWORD',
      `must be at least ${MIN_PASSWORD} characters, e.g. from \`openssl rand -base64 24\``,
    );
  return user && password ? { user, password, path } : undefined;
}
