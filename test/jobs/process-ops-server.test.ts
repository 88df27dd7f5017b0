// Two pve-chatops processes on one host with the same PORT: the second says which variable to change.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config-error.js';
import { startProcessOpsServer } from '../../src/jobs/process-ops-server.js';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';

describe('the ops server of a process', () => {
  it('refuses a PORT another process holds with a message naming PORT', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    const port = (taken.address() as { port: number }).port;
    const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', silentLogger, 'test');
    // Never contacted: the health checks do not run in this test.
    const pve = new ProxmoxClient({
      hosts: ['https://127.0.0.1:1'],
      tokenId: 'root@pam!test',
      tokenSecret: 'unused-in-this-test',
      fingerprints: [Array(32).fill('AB').join(':')],
    });
    try {
      const started = startProcessOpsServer({
        config: { port },
        redis,
        pve,
        metrics: createMetrics(),
        logger: silentLogger,
      });
      await expect(started).rejects.toBeInstanceOf(ConfigError);
      await expect(started).rejects.toThrow(
        `PORT: ${port} is already in use on this host; give each pve-chatops process its own PORT (0 picks a free one)`,
      );
    } finally {
      taken.close();
      redis.disconnect();
      await pve.close();
    }
  });
});
