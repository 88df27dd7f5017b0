// REDIS_URL=redis+sentinel://…: a private redis-server and a Sentinel watching it (redis-server
// --sentinel), and the connection pve-chatops makes finds the master through the Sentinel.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSentinelUrl } from '../../src/config/redis-url.js';
import { loadConfig } from '../../src/config.js';
import { createRedis } from '../../src/jobs/redis-connection.js';
import { silentLogger } from '../../src/logger.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts redis-server with these arguments and resolves once it logs that it is ready. */
function startRedis(args: string[], ready: RegExp): Promise<void> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (ready.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${out}`)));
  });
}

describe('Redis through Sentinel', () => {
  it('parses redis+sentinel URLs and refuses malformed ones with the expected form', () => {
    expect(
      parseSentinelUrl('redis+sentinel://:s3cret%21@127.0.0.2:26379,[::1]:26380,localhost/mymaster'),
    ).toEqual({
      sentinels: [
        { host: '127.0.0.2', port: 26379 },
        { host: '::1', port: 26380 },
        { host: 'localhost', port: 26379 },
      ],
      name: 'mymaster',
      password: 's3cret!',
    });
    expect(parseSentinelUrl('redis://127.0.0.1:6379')).toBeUndefined();
    expect(() => loadConfig({ env: { REDIS_URL: 'redis+sentinel://host:26379' } })).toThrow(
      /REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL, e\.g\. redis:\/\/127\.0\.0\.1:6379, or for Sentinel redis\+sentinel:\/\//,
    );
    expect(loadConfig({ env: { REDIS_URL: 'redis+sentinel://127.0.0.1:26379/mymaster' } }).redisUrl).toBe(
      'redis+sentinel://127.0.0.1:26379/mymaster',
    );
  });

  it('finds the master through a real Sentinel', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-'));
    const [masterPort, sentinelPort] = [await freePort(), await freePort()];
    await startRedis(
      ['--port', String(masterPort), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
      /Ready to accept connections/,
    );
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor chatops 127.0.0.1 ${masterPort} 1`,
        'sentinel down-after-milliseconds chatops 1000',
        '',
      ].join('\n'),
    );
    await startRedis([conf, '--sentinel'], /Sentinel ID is|monitor master chatops/);
    const redis = createRedis(`redis+sentinel://127.0.0.1:${sentinelPort}/chatops`, silentLogger, 'test');
    try {
      await redis.set('pve-chatops:sentinel-test', 'through the sentinel');
      expect(await redis.get('pve-chatops:sentinel-test')).toBe('through the sentinel');
      // It really is the master on masterPort that holds the key.
      const info = await redis.info('server');
      expect(info).toContain(`tcp_port:${masterPort}`);
    } finally {
      redis.disconnect();
    }
  });
});
