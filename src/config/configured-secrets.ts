// Every secret value the configuration holds, for the logger to scrub from every line.
import type { AppConfig } from './config-types.js';
import { parseSentinelUrl } from './redis-url.js';

export function configuredSecrets(config: AppConfig): string[] {
  const secrets = [
    config.pve?.tokenSecret,
    config.slack?.botToken,
    config.slack?.signingSecret,
    config.slack?.appToken,
    config.discord?.token,
    config.dashboard?.password,
    config.ops?.metricsToken,
    config.alerts?.notifySecret,
  ];
  try {
    const sentinel = parseSentinelUrl(config.redisUrl);
    const password = sentinel ? sentinel.password : new URL(config.redisUrl).password;
    if (password) secrets.push(decodeURIComponent(password), password);
  } catch {
    // config.ts has already refused a REDIS_URL that cannot be read.
  }
  return [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length > 0))];
}
