// The demo needs Redis. Use REDIS_URL when something answers there; otherwise, when redis-server is
// installed, run a private one for the session (nothing on disk); otherwise say what to install.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export interface RedisForDemo {
  url: string;
  /** Stops the private server, if one was started. */
  stop(): Promise<void>;
  private: boolean;
}

async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class RedisMissingError extends Error {
  override readonly name = 'RedisMissingError';
}

export async function redisForDemo(url: string): Promise<RedisForDemo> {
  if (await answers(url)) return { url, private: false, stop: async () => {} };
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (found.error || found.status !== 0) {
    throw new RedisMissingError(
      `Nothing answers at ${new URL(url).host} and redis-server is not installed.\n` +
        'Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) ' +
        'or set REDIS_URL to a Redis you have, then run npm run demo again.',
    );
  }
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await answers(privateUrl)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await answers(privateUrl))) {
    server.kill('SIGKILL');
    throw new RedisMissingError(`redis-server did not start on 127.0.0.1:${port}`);
  }
  return {
    url: privateUrl,
    private: true,
    stop: () =>
      new Promise<void>((resolve) => {
        if (server.exitCode !== null) return resolve();
        server.once('exit', () => resolve());
        server.kill('SIGTERM');
      }),
  };
}
