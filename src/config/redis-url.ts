// REDIS_URL: a plain `redis://` / `rediss://` URL, or Sentinel as
// `redis+sentinel://[:password@]host1:26379,host2:26379/<master name>`: ioredis asks the
// sentinels for the current master and follows a failover; BullMQ works unchanged on top.
// (Redis Cluster is not offered: BullMQ's Lua scripts need all keys of a queue in one slot.)

export interface SentinelTarget {
  sentinels: { host: string; port: number }[];
  name: string;
  password?: string;
}

const SENTINEL = /^redis\+sentinel:\/\/(?::([^@]*)@)?([^/]+)\/([A-Za-z0-9._-]+)\/?$/;

/** The sentinels and master name of a `redis+sentinel://` URL; undefined for any other URL. */
export function parseSentinelUrl(url: string): SentinelTarget | undefined {
  if (!url.startsWith('redis+sentinel:')) return undefined;
  const match = SENTINEL.exec(url);
  if (!match) throw new Error('expected redis+sentinel://[:password@]host:port[,host:port…]/<master name>');
  const [, password, hosts = '', name = ''] = match;
  const sentinels = hosts.split(',').map((entry) => {
    const at = entry.lastIndexOf(':');
    const host = at > 0 ? entry.slice(0, at) : entry;
    const port = at > 0 ? Number(entry.slice(at + 1)) : 26379;
    if (!host || !Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`bad sentinel address '${entry}'`);
    return { host: host.replace(/^\[|\]$/g, ''), port };
  });
  return { sentinels, name, ...(password ? { password: decodeURIComponent(password) } : {}) };
}

/** Why a sentinel URL cannot be used, for the configuration's message; undefined when fine. */
export function sentinelProblem(url: string): string | undefined {
  try {
    parseSentinelUrl(url);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
