// The audit log against a real Redis: a SHA-256 chain that verify() walks, catching an edited,
// deleted or dropped record, and appends that stay chained when many arrive at once.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditCommand } from '../../src/app/run-audit-command.js';
import { type AuditEntry, AuditLog, GENESIS_HASH, hashAuditRecord } from '../../src/core/audit/audit-log.js';
import { canonicalJson } from '../../src/core/audit/canonical-json.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL);

let prefix: string;
let now: number;
let log: AuditLog;

beforeEach(() => {
  prefix = `test-${randomUUID()}`;
  now = Date.UTC(2025, 0, 6, 9, 0, 0);
  log = new AuditLog(redis, { prefix, clock: () => now++ });
});

afterEach(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(async () => {
  await redis.quit();
});

const entry = (i: number): AuditEntry => ({
  actor: 'slack:U0ALICE',
  action: i % 2 === 0 ? 'request' : 'approve',
  command: 'migrate',
  summary: `migrate TestVM to node0${(i % 3) + 1} (#${i})`,
  approvalId: 'abcdefgh',
  details: { step: i, nested: { b: 2, a: [1, { z: true, y: null }] } },
});

async function appendFive(): Promise<void> {
  for (let i = 0; i < 5; i++) await log.append(entry(i));
}

describe('AuditLog', () => {
  it('chains each record to the one before, from 64 zeros', async () => {
    const first = await log.append(entry(0));
    const second = await log.append({
      ...entry(1),
      jobId: 'appr-abcdefgh',
      upids: ['UPID:node01:1'],
      result: 'ok',
    });
    expect(first).toMatchObject({ seq: 0, prev: GENESIS_HASH, at: Date.UTC(2025, 0, 6, 9, 0, 0) });
    expect(second).toMatchObject({ seq: 1, prev: first.hash, result: 'ok' });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(second.hash).toBe(hashAuditRecord(second));
    expect(await redis.get(`${prefix}:audit:head`)).toBe(second.hash);
    expect(await log.verify()).toEqual({ ok: true, count: 2 });
  });

  it('hashes canonical JSON, whatever order the keys were written in', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: 'x' }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[2,{"e":0,"f":1}]},"b":1}',
    );
  });

  it('returns the newest records first', async () => {
    await appendFive();
    const latest = await log.latest(3);
    expect(latest.map((r) => r.seq)).toEqual([4, 3, 2]);
    expect(latest[0]?.summary).toBe('migrate TestVM to node02 (#4)');
    expect(await new AuditLog(redis, { prefix }).latest(10)).toHaveLength(5);
  });

  it('verifies an empty log', async () => {
    expect(await log.verify()).toEqual({ ok: true, count: 0 });
  });

  it('detects an edited record', async () => {
    await appendFive();
    const raw = JSON.parse((await redis.lindex(`${prefix}:audit`, 2))!);
    raw.summary = 'nothing happened here';
    await redis.lset(`${prefix}:audit`, 2, JSON.stringify(raw));
    expect(await log.verify()).toEqual({
      ok: false,
      count: 5,
      index: 2,
      reason: 'record 2 does not match its hash: it was edited after it was written',
    });
  });

  it('detects an edited record whose hash was recomputed to match', async () => {
    await appendFive();
    const raw = JSON.parse((await redis.lindex(`${prefix}:audit`, 1))!);
    raw.actor = 'slack:U0MALLORY';
    raw.hash = hashAuditRecord(raw);
    await redis.lset(`${prefix}:audit`, 1, JSON.stringify(raw));
    const result = await log.verify();
    expect(result).toMatchObject({ ok: false, index: 2 });
    expect(result.ok === false && result.reason).toContain('does not chain to the record before it');
  });

  it('detects a deleted record', async () => {
    await appendFive();
    const victim = (await redis.lindex(`${prefix}:audit`, 1))!;
    expect(await redis.lrem(`${prefix}:audit`, 1, victim)).toBe(1);
    expect(await log.verify()).toEqual({
      ok: false,
      count: 4,
      index: 1,
      reason: 'record 1 carries seq 2: 1 record(s) before it were deleted',
    });
  });

  it('detects records dropped from the end', async () => {
    await appendFive();
    await redis.rpop(`${prefix}:audit`);
    expect(await log.verify()).toMatchObject({
      ok: false,
      count: 4,
      index: 4,
      reason: expect.stringContaining('records were removed from the end'),
    });
  });

  it('keeps every record chained when 50 appends from 5 connections arrive at once', async () => {
    const connections = Array.from({ length: 5 }, () => new Redis(REDIS_URL));
    try {
      const logs = connections.map((c) => new AuditLog(c, { prefix }));
      const records = await Promise.all(
        Array.from({ length: 50 }, (_, i) => logs[i % logs.length]!.append(entry(i))),
      );
      expect(new Set(records.map((r) => r.seq)).size).toBe(50);
      expect(await log.verify()).toEqual({ ok: true, count: 50 });
      const stored = (await redis.lrange(`${prefix}:audit`, 0, -1)).map((json) => JSON.parse(json));
      expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(stored.map((r) => r.summary).sort()).toEqual(records.map((r) => r.summary).sort());
      // A log that appended before others did carries on after their records.
      const later = await logs[0]!.append(entry(50));
      expect(later.seq).toBe(50);
      expect(await log.verify()).toEqual({ ok: true, count: 51 });
    } finally {
      await Promise.all(connections.map((c) => c.quit()));
    }
  });
});

describe('pve-chatops audit verify', () => {
  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
    const envFile = join(dir, '.env');
    writeFileSync(envFile, `REDIS_URL=${REDIS_URL}\nREDIS_PREFIX=${prefix}\n`);
    let out = '';
    let err = '';
    const code = await auditCommand([...args, '--env-file', envFile], {
      env: {},
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        err += t;
      },
    });
    return { code, out, err };
  }

  it('says the log is intact and how long it is', async () => {
    await appendFive();
    expect(await run(['verify'])).toEqual({ code: 0, out: 'audit log intact: 5 entries\n', err: '' });
  });

  it('says where the log is broken and exits 1', async () => {
    await appendFive();
    await redis.lset(`${prefix}:audit`, 3, '{"edited":true}');
    const result = await run(['verify']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('audit log BROKEN at record 3 of 5: record 3 does not match its hash');
  });

  it('refuses anything but verify', async () => {
    const result = await run(['repair']);
    expect(result.code).toBe(2);
    expect(result.err).toContain("expected 'verify' (got 'repair')");
  });
});
