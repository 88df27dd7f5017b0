// A wrong PVE token is the operator's to fix, not a passing blip: the job fails at its first
// attempt and says what to check, never the secret. What a restarting PVE really answers (a
// refused connection, a 500 while pmxcfs is away) is still retried.
import { afterEach, describe, expect, it } from 'vitest';
import { failureText, isTransientFailure } from '../../src/jobs/classify-failure.js';
import { silentLogger } from '../../src/logger.js';
import { mapPveError } from '../../src/proxmox/map-pve-error.js';
import { ProxmoxClient } from '../../src/proxmox/proxmox-client.js';
import { PveError, PveErrorCode } from '../../src/proxmox/pve-error.js';
import { guestOf, type JobHarness, startJobHarness, THREAD } from './helpers/job-harness.js';

let harness: JobHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const where = { method: 'GET', path: '/cluster/resources', host: 'https://127.0.0.1:8006' };

describe('which PVE failures are retried', () => {
  it('does not retry a 401, and tells the operator what to check', () => {
    const error = mapPveError({ ...where, statusCode: 401, statusText: 'Authentication failed!', body: '' });
    expect(isTransientFailure(error)).toBe(false);
    expect(error.message).toContain('Authentication failed!');
    for (const hint of ['PVE_TOKEN_ID', 'PVE_TOKEN_SECRET', 'expired', 'user is enabled'])
      expect(error.message).toContain(hint);
  });

  it('retries what a restarting PVE answers: a refused connection, 502-504, and pmxcfs away (500)', () => {
    const refused = new PveError({ code: PveErrorCode.Connection, message: 'connect ECONNREFUSED' });
    expect(isTransientFailure(refused)).toBe(true);
    for (const statusCode of [502, 503, 504])
      expect(
        isTransientFailure(mapPveError({ ...where, statusCode, statusText: 'Bad Gateway', body: '' })),
      ).toBe(true);
    const pmxcfs = mapPveError({
      ...where,
      statusCode: 500,
      statusText:
        'RPCEnvironment init request failed: Unable to load access control list: Connection refused',
      body: '',
    });
    expect(pmxcfs.code).toBe(PveErrorCode.ClusterFsUnavailable);
    expect(isTransientFailure(pmxcfs)).toBe(true);
    // A permission refusal stays final, and says where a token's privileges come from.
    const refused403 = mapPveError({
      ...where,
      statusCode: 403,
      statusText: 'Permission check failed (/vms/100, VM.PowerMgmt)',
      body: '',
    });
    expect(isTransientFailure(refused403)).toBe(false);
    expect(failureText(refused403)).toMatch(
      /^Permission check failed \(\/vms\/100, VM\.PowerMgmt\): .*privilege separation/,
    );
    // A business error stays final.
    const locked = mapPveError({ ...where, statusCode: 500, statusText: 'VM is locked (migrate)', body: '' });
    expect(isTransientFailure(locked)).toBe(false);
  });
});

describe('a job with a wrong PVE token', () => {
  it('fails at its first attempt with what to check, and never shows the secret', async () => {
    const h = await startJobHarness();
    harness = h;
    const secret = '00000000-dead-beef-0000-000000000000';
    const pve = new ProxmoxClient({
      hosts: h.sim.hosts,
      tokenId: h.sim.tokenId,
      tokenSecret: secret,
      fingerprints: h.sim.fingerprints,
      logger: silentLogger,
    });
    try {
      await h.worker({ pve });
      const { jobId } = await h.queue.enqueue({
        kind: 'status',
        payload: { vmid: guestOf(h.sim, 100).vmid },
        thread: THREAD,
        requestedBy: 'alice',
      });
      const result = await h.result(jobId);
      expect(result).toMatchObject({ ok: false, code: 'PVE_AUTH_FAILED' });
      expect(result.error).toContain('PVE_TOKEN_ID');
      expect(result.error).toContain('PVE_TOKEN_SECRET');
      expect(result.error).toContain('expired');
      // One attempt: no retry was announced, and PVE was asked once (the result comes only
      // after the last attempt, so five attempts would show here).
      const retries = h.events.filter(
        (e) => e.type === 'progress' && e.jobId === jobId && e.phase.startsWith('retrying after'),
      );
      expect(retries).toEqual([]);
      expect(h.sim.requests.filter((r) => r.path === '/cluster/resources')).toHaveLength(1);
      const everything = JSON.stringify(h.events);
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(h.sim.tokenSecret);
    } finally {
      await pve.close();
    }
  });
});
