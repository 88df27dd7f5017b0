// ALERT_ROUTES: alert cards by type and severity to other channels. The setting's reading (with
// messages that say what would be right), the choice for one alert, and the publisher sending a
// new incident where its route says while its updates follow the card.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AlertInput } from '../../../src/jobs/alerts/alert.js';
import { AlertPublisher } from '../../../src/jobs/alerts/alert-publisher.js';
import { alertRoutesOf, parseAlertRoutes, routeAlert } from '../../../src/jobs/alerts/alert-routes.js';
import { AlertStore } from '../../../src/jobs/alerts/alert-store.js';
import type { ThreadRef } from '../../../src/jobs/job-events.js';
import { createRedis } from '../../../src/jobs/redis-connection.js';
import { silentLogger } from '../../../src/logger.js';

const ROUTES =
  'vzdump,replication=slack:C0BACKUPS; fencing,quorum,node=slack:C0ONCALL discord:123456789012345678; *@error=slack:C0ONCALL';
const DEFAULT: ThreadRef[] = [{ platform: 'slack', channel: 'C0ALERTS' }];

function routes() {
  const parsed = parseAlertRoutes(ROUTES);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.routes;
}

describe('ALERT_ROUTES', () => {
  it('sends each alert to every route that matches it, each channel once, and the rest to the alert channels', () => {
    const r = routes();
    expect(routeAlert({ type: 'vzdump', severity: 'error' }, r, DEFAULT)).toEqual([
      { platform: 'slack', channel: 'C0BACKUPS' },
      { platform: 'slack', channel: 'C0ONCALL' },
    ]);
    expect(routeAlert({ type: 'node', severity: 'error' }, r, DEFAULT)).toEqual([
      { platform: 'slack', channel: 'C0ONCALL' },
      { platform: 'discord', channel: '123456789012345678' },
    ]);
    expect(routeAlert({ type: 'vzdump', severity: 'info' }, r, DEFAULT)).toEqual([
      { platform: 'slack', channel: 'C0BACKUPS' },
    ]);
    expect(routeAlert({ type: 'storage', severity: 'warning' }, r, DEFAULT)).toEqual(DEFAULT);
  });

  it('says what is wrong in the setting and what would be right', () => {
    expect(() => alertRoutesOf('backup=slack:C0BACKUPS')).toThrow(
      /^ALERT_ROUTES: 'backup' in 'backup=slack:C0BACKUPS' is not an alert type: use vzdump, replication/,
    );
    expect(alertRoutesOf(undefined)).toBeUndefined();
    expect(parseAlertRoutes('vzdump@fatal=slack:C0BACKUPS')).toMatchObject({
      ok: false,
      error: expect.stringContaining("'fatal' in 'vzdump@fatal=slack:C0BACKUPS' is not a severity"),
    });
    expect(parseAlertRoutes('vzdump=teams:abc')).toMatchObject({
      ok: false,
      error: expect.stringContaining('use slack:<channel id>'),
    });
    expect(parseAlertRoutes('vzdump slack:C0BACKUPS')).toMatchObject({
      ok: false,
      error: expect.stringContaining("no '='"),
    });
  });
});

describe('the publisher with routes', () => {
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', silentLogger, 'test');
  const prefix = `test-${randomUUID()}`;
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
  });
  afterAll(() => redis.disconnect());

  it('posts a new incident where its route says, and its resolution to the same card there', async () => {
    const sent: Array<{ thread: ThreadRef; key: string; state: string }> = [];
    const publisher = new AlertPublisher({
      store: new AlertStore(redis, { prefix }),
      routes: routes(),
      publish: async (thread, event) =>
        void sent.push({ thread, key: event.alert.key, state: event.alert.state }),
    });
    const source = { jobId: 'watch-1', kind: 'cluster-watch', threads: DEFAULT };
    const offline: AlertInput = {
      key: 'node:node02:1',
      source: 'watch',
      type: 'node',
      severity: 'error',
      title: 'node02 is offline',
      state: 'open',
      at: 1,
    };
    expect(await publisher.publish(source, offline)).toBe('shown');
    expect(await publisher.publish(source, { ...offline, state: 'resolved', severity: 'info' })).toBe(
      'updated',
    );
    const oncall = sent.filter((s) => s.thread.channel === 'C0ONCALL');
    expect(oncall.map((s) => s.state)).toEqual(['open', 'resolved']);
    expect(sent.filter((s) => s.thread.platform === 'discord').map((s) => s.state)).toEqual([
      'open',
      'resolved',
    ]);
    expect(sent.some((s) => s.thread.channel === 'C0ALERTS')).toBe(false);
  });
});
