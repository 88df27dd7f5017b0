// Reliability: the worker killed at random points of migrate, clone and upgrade.
//
// The figure: FAULT_RUNS runs per job kind (default 20; upgrades FAULT_UPGRADE_RUNS, default the
// same), each killing a real `pve-chatops worker` process (a build of src/app/cli.ts, see
// helpers/worker-processes.ts) with SIGKILL once, at a point drawn with FAULT_SEED (default 11;
// clone uses +1, upgrade +2) from the phases of the job: before its POST, the instant PVE
// accepted the POST (the worker never read the UPID), mid-task, during the HA wait, mid
// dist-upgrade, right after the reboot request, while the node reboots, while guests come back.
// A waiting worker process takes the job over (WORKER_LOCK_MS=1000: about 2 s). Every run must
// end with exactly one result in the thread and start no PVE task twice: one migrate or clone
// POST and one task per job, the clone existing once; per upgrade one reboot (one boot), one
// dist-upgrade that completed, each guest moved out and back once. "duplicates" in the printed
// summary counts violations of that; it must be 0. The three kinds run side by side, each on
// its own simulator and Redis prefix: 3 × 20 kills take about 2 minutes on two cores (about 3 s
// per migrate or clone run, 5 s per upgrade run).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultEvent } from '../../src/jobs/job-events.js';
import type { UpgradePlan } from '../../src/jobs/upgrade/upgrade-plan.js';
import type { AptPackage } from '../../src/sim/cluster/cluster-model.js';
import { type Random, randomInt, seededRandom } from '../../src/sim/cluster/seeded-random.js';
import type { RunningSimulator, SimCluster } from '../../src/sim/simulator.js';
import { guestOf, THREAD } from '../jobs/helpers/job-harness.js';
import {
  anyRequest,
  delayAfter,
  type Findings,
  type KillPoint,
  KillSeries,
  nth,
  positiveInt,
  post,
  type RunLog,
  request,
  ssh,
  taskPoll,
} from './helpers/kill-series.js';
import { buildWorker } from './helpers/worker-processes.js';

const RUNS = positiveInt('FAULT_RUNS', 20);
const UPGRADE_RUNS = positiveInt('FAULT_UPGRADE_RUNS', RUNS);
const SEED = positiveInt('FAULT_SEED', 11);
const TOKEN = 'chatops@pve!bot';
const REQUESTER = { id: 'console:alice', name: 'alice', groups: [] };
const SERIES_TIMEOUT_MS = 15 * 60_000;

/** Tasks of that type on that guest started during the run, by our token (or by `user`). */
function tasksOf(log: RunLog, type: string, id: number, user = TOKEN) {
  return log.tasks.filter((t) => t.type === type && t.id === String(id) && t.user === user);
}

function exactlyOne(findings: Findings, what: string, count: number): void {
  if (count > 1) findings.duplicates.push(`${count}× ${what}`);
  else if (count === 0) findings.problems.push(`no ${what}`);
}

let worker: Awaited<ReturnType<typeof buildWorker>> | undefined;
beforeAll(async () => {
  worker = await buildWorker();
});
afterAll(async () => {
  await worker?.remove();
});
const entry = () => {
  if (!worker) throw new Error('the worker was not built');
  return worker.entry;
};

describe('a worker killed at random points', () => {
  it.concurrent(
    `migrate: ${RUNS} runs, one kill each, never a second migration`,
    async () => {
      const series = await KillSeries.start('migrate', SEED, 50, entry());
      const random = seededRandom(series.seed);
      try {
        const { h } = series;
        // TestVM (live, our qmigrate) tours the nodes; web01 is HA-managed (a hamigrate, then the
        // HA stack's own qmigrate that the job waits for).
        const points: Array<(r: Random) => { vmid: number; point: KillPoint }> = [
          (r) => {
            const n = randomInt(r, 1, 4);
            return {
              vmid: 100,
              point: { phase: 'before the POST', detail: `request ${n}`, trigger: nth(n, anyRequest) },
            };
          },
          () => ({
            vmid: 100,
            point: {
              phase: 'right after the POST',
              detail: 'POST answered',
              trigger: nth(1, post(/\/migrate$/)),
            },
          }),
          (r) => {
            const n = randomInt(r, 1, 3);
            return {
              vmid: 100,
              point: { phase: 'mid-task', detail: `task poll ${n}`, trigger: nth(n, taskPoll('qmigrate')) },
            };
          },
          () => ({
            vmid: 101,
            point: {
              phase: 'right after the POST (HA)',
              detail: 'POST answered',
              trigger: nth(1, post(/\/migrate$/)),
            },
          }),
          (r) => {
            const n = randomInt(r, 1, 6);
            const haWait = request(
              (q) =>
                q.path === '/cluster/resources' ||
                q.path === '/cluster/tasks' ||
                (q.path.includes('/tasks/') &&
                  decodeURIComponent(q.path).includes(':qmigrate:101:root@pam:')),
            );
            return {
              vmid: 101,
              point: {
                phase: 'during the HA wait',
                detail: `request ${n}`,
                trigger: nth(n, haWait, post(/\/migrate$/)),
              },
            };
          },
        ];
        const tours: Record<number, string[]> = {
          100: ['node02', 'node03', 'node01'],
          101: ['node03', 'node02'],
        };
        const moves: Record<number, number> = { 100: 0, 101: 0 };
        for (let run = 0; run < RUNS; run++) {
          const { vmid, point } = points[run % points.length]!(random);
          const tour = tours[vmid]!;
          const target = tour[moves[vmid]!++ % tour.length]!;
          const ha = vmid === 101;
          await series.run(
            run,
            point,
            async () =>
              (
                await h.queue.enqueue({
                  kind: 'migrate',
                  payload: { guest: guestOf(h.sim, vmid), target },
                  thread: THREAD,
                  requestedBy: 'alice',
                })
              ).jobId,
            (result, log) => {
              const findings: Findings = { duplicates: [], problems: [] };
              const posts = log.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/migrate'));
              exactlyOne(findings, 'migrate POST', posts.length);
              const started = tasksOf(log, ha ? 'hamigrate' : 'qmigrate', vmid);
              exactlyOne(findings, `${ha ? 'hamigrate' : 'qmigrate'} task`, started.length);
              if (ha)
                exactlyOne(findings, 'HA-run qmigrate', tasksOf(log, 'qmigrate', vmid, 'root@pam').length);
              if (!result.ok) findings.problems.push(`failed: ${result.summary}`);
              else if (result.upid !== started[0]?.upid)
                findings.problems.push(`result names ${result.upid}`);
              const node = h.sim.cluster.guest(vmid)?.node;
              if (node !== target) findings.problems.push(`guest ${vmid} is on ${node}, asked ${target}`);
              return findings;
            },
          );
        }
        console.log(series.report());
        expect(series.resultCounts()).toEqual([]);
        expect(series.records.flatMap((r) => r.duplicates.map((d) => `run ${r.run}: ${d}`))).toEqual([]);
        expect(series.records.flatMap((r) => r.problems.map((p) => `run ${r.run}: ${p}`))).toEqual([]);
        expect(series.kills).toBe(RUNS);
      } finally {
        await series.stop();
      }
    },
    SERIES_TIMEOUT_MS,
  );

  it.concurrent(
    `clone: ${RUNS} runs, one kill each, every clone exists once`,
    async () => {
      const series = await KillSeries.start('clone', SEED + 1, 50, entry());
      const random = seededRandom(series.seed);
      try {
        const { h } = series;
        const points: Array<(r: Random) => KillPoint> = [
          (r) => {
            const n = randomInt(r, 1, 2);
            return { phase: 'before the POST', detail: `request ${n}`, trigger: nth(n, anyRequest) };
          },
          () => ({
            phase: 'right after the POST',
            detail: 'POST answered',
            trigger: nth(1, post(/\/clone$/)),
          }),
          (r) => {
            const n = randomInt(r, 1, 3);
            return { phase: 'mid-task', detail: `task poll ${n}`, trigger: nth(n, taskPoll('qmclone')) };
          },
        ];
        for (let run = 0; run < RUNS; run++) {
          const point = points[run % points.length]!(random);
          const name = `kill-clone-${run}`;
          await series.run(
            run,
            point,
            async () =>
              (
                await h.queue.enqueue({
                  kind: 'clone',
                  payload: { source: guestOf(h.sim, 100), name },
                  thread: THREAD,
                  requestedBy: 'alice',
                })
              ).jobId,
            (result, log) => {
              const findings: Findings = { duplicates: [], problems: [] };
              exactlyOne(
                findings,
                'clone POST',
                log.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/clone')).length,
              );
              const started = tasksOf(log, 'qmclone', 100);
              exactlyOne(findings, 'qmclone task', started.length);
              const clones = h.sim.cluster.guests().filter((g) => g.name === name);
              exactlyOne(findings, `guest named ${name}`, clones.length);
              if (!result.ok) findings.problems.push(`failed: ${result.summary}`);
              else if (clones[0] && result.details?.newid !== clones[0].vmid)
                findings.problems.push(
                  `result says ${String(result.details?.newid)}, PVE has ${clones[0].vmid}`,
                );
              return findings;
            },
          );
        }
        console.log(series.report());
        expect(series.resultCounts()).toEqual([]);
        expect(series.records.flatMap((r) => r.duplicates.map((d) => `run ${r.run}: ${d}`))).toEqual([]);
        expect(series.records.flatMap((r) => r.problems.map((p) => `run ${r.run}: ${p}`))).toEqual([]);
        expect(series.kills).toBe(RUNS);
      } finally {
        await series.stop();
      }
    },
    SERIES_TIMEOUT_MS,
  );

  it.concurrent(
    `upgrade: ${UPGRADE_RUNS} runs, one kill each, one reboot and one install per run`,
    async () => {
      const series = await KillSeries.start('upgrade', SEED + 2, 100, entry());
      const random = seededRandom(series.seed);
      try {
        const { h } = series;
        const NODE = 'node03';
        // node03 holds ct-dns01 (a container we move out and back) and, moved there first,
        // web01 (HA-managed: the HA stack moves it while node03 is in maintenance).
        await series.plain(
          async () =>
            (
              await h.queue.enqueue({
                kind: 'migrate',
                payload: { guest: guestOf(h.sim, 101), target: NODE },
                thread: THREAD,
                requestedBy: 'alice',
              })
            ).jobId,
        );
        const rebootPost = request(
          (r) =>
            r.method === 'POST' && r.path === `/nodes/${NODE}/status` && r.rawParams.command === 'reboot',
        );
        const resources = request((r) => r.path === '/cluster/resources');
        const points: Array<(r: Random) => KillPoint> = [
          (r) => {
            const n = randomInt(r, 1, 4);
            return { phase: 'pre-flight', detail: `request ${n}`, trigger: nth(n, anyRequest) };
          },
          (r) => {
            const n = randomInt(r, 1, 3);
            return {
              phase: 'HA drain wait',
              detail: `poll ${n}`,
              trigger: nth(
                n,
                resources,
                ssh((c) => c.includes('node-maintenance enable')),
              ),
            };
          },
          () => ({
            phase: 'guest out: after the POST',
            detail: 'POST answered',
            trigger: nth(1, post(/\/lxc\/200\/migrate$/)),
          }),
          (r) => {
            const ms = randomInt(r, 10, 250);
            return {
              phase: 'mid dist-upgrade',
              detail: `+${ms} ms`,
              trigger: delayAfter(
                ms,
                ssh((c) => c.endsWith(' dist-upgrade')),
              ),
            };
          },
          () => ({
            phase: 'right after the reboot POST',
            detail: 'POST answered',
            trigger: nth(1, rebootPost),
          }),
          (r) => {
            const n = randomInt(r, 1, 6);
            return {
              phase: 'reboot wait',
              detail: `poll ${n}`,
              trigger: nth(
                n,
                request((q) => q.path === '/cluster/status'),
                rebootPost,
              ),
            };
          },
          (r) => {
            const n = randomInt(r, 1, 3);
            return {
              phase: 'HA back wait',
              detail: `poll ${n}`,
              trigger: nth(
                n,
                resources,
                ssh((c) => c.includes('node-maintenance disable')),
              ),
            };
          },
          (r) => {
            const n = randomInt(r, 1, 2);
            return {
              phase: 'guest back: mid-task',
              detail: `task poll ${n}`,
              trigger: nth(
                n,
                taskPoll('vzmigrate'),
                request(
                  (q) =>
                    q.method === 'POST' && q.path.endsWith('/lxc/200/migrate') && q.rawParams.target === NODE,
                ),
              ),
            };
          },
        ];
        for (let run = 0; run < UPGRADE_RUNS; run++) {
          const point = points[run % points.length]!(random);
          if (run > 0) newUpdates(h.sim, NODE, run);
          const plan = await planUpgrade(series, NODE);
          const kernel = h.sim.cluster
            .node(NODE)
            .pendingUpdates.find((p) => /^proxmox-kernel-.*-signed$/.test(p.Package));
          await series.run(
            run,
            point,
            async () =>
              (
                await h.queue.enqueue({
                  kind: 'upgrade',
                  payload: { plan, timings: { pollMs: 50, drainTimeoutMs: 60_000, rebootTimeoutMs: 60_000 } },
                  thread: THREAD,
                  requestedBy: 'alice',
                })
              ).jobId,
            (result, log) => {
              const findings: Findings = { duplicates: [], problems: [] };
              exactlyOne(findings, `boot of ${NODE}`, log.boots.filter((n) => n === NODE).length);
              const others = log.boots.filter((n) => n !== NODE);
              if (others.length > 0) findings.problems.push(`rebooted ${others.join(', ')}`);
              const reboots = log.requests.filter((r) => rebootPost({ type: 'request', request: r }));
              exactlyOne(
                findings,
                `reboot request to ${NODE} answered 200`,
                reboots.filter((r) => r.status === 200).length,
              );
              const installs = log.ssh.filter((c) => c.command.endsWith(' dist-upgrade'));
              exactlyOne(
                findings,
                'dist-upgrade that succeeded',
                installs.filter((c) => c.exitCode === 0).length,
              );
              const moves = log.requests.filter(
                (r) => r.method === 'POST' && r.path.endsWith('/lxc/200/migrate'),
              );
              if (moves.length !== 2)
                findings.duplicates.push(`${moves.length} container migrate POSTs (2 expected)`);
              const vzmigrates = tasksOf(log, 'vzmigrate', 200).length;
              if (vzmigrates !== 2) findings.duplicates.push(`${vzmigrates} vzmigrate tasks (2 expected)`);
              const haMoves = tasksOf(log, 'qmigrate', 101, 'root@pam').length;
              if (haMoves !== 2) findings.duplicates.push(`${haMoves} HA migrations of web01 (2 expected)`);
              if (!result.ok) findings.problems.push(`failed: ${result.summary}`);
              const node = h.sim.cluster.node(NODE);
              if (node.pendingUpdates.length > 0)
                findings.problems.push(`${node.pendingUpdates.length} updates left`);
              if (kernel && !node.installed.has(kernel.Package))
                findings.problems.push(`${kernel.Package} not installed`);
              for (const vmid of [101, 200]) {
                const guest = h.sim.cluster.guest(vmid);
                if (guest?.node !== NODE || !guest.running)
                  findings.problems.push(
                    `guest ${vmid} is ${guest?.running ? 'running' : 'stopped'} on ${guest?.node}`,
                  );
              }
              if (h.sim.cluster.ha.maintenanceRequested(NODE))
                findings.problems.push(`${NODE} left in maintenance`);
              return findings;
            },
          );
        }
        console.log(series.report());
        expect(series.resultCounts()).toEqual([]);
        expect(series.records.flatMap((r) => r.duplicates.map((d) => `run ${r.run}: ${d}`))).toEqual([]);
        expect(series.records.flatMap((r) => r.problems.map((p) => `run ${r.run}: ${p}`))).toEqual([]);
        expect(series.kills).toBe(UPGRADE_RUNS);
      } finally {
        await series.stop();
      }
    },
    SERIES_TIMEOUT_MS,
  );
});

/** The upgrade-plan job, as the core runs it before asking for approval; resolves with the plan. */
async function planUpgrade(series: KillSeries, node: string): Promise<UpgradePlan> {
  const planned: ResultEvent = await series.plain(
    async () =>
      (
        await series.h.queue.enqueue({
          kind: 'upgrade-plan',
          payload: { nodes: [node], reboot: 'auto', dryRun: false, requester: REQUESTER },
          thread: THREAD,
          requestedBy: 'alice',
        })
      ).jobId,
  );
  if (!planned.ok || !planned.proposal) throw new Error(`no upgrade plan: ${planned.summary}`);
  return (planned.proposal.payload as { plan: UpgradePlan }).plan;
}

/**
 * Publishes a new pve-manager and a new kernel for the node (what the next `apt-get update`
 * would find a few weeks later), so the same simulator serves one upgrade per run.
 */
function newUpdates(sim: RunningSimulator<SimCluster>, name: string, round: number): void {
  const node = sim.cluster.node(name);
  const update = (pkg: string, version: string, section: string): AptPackage => ({
    Package: pkg,
    Title: pkg,
    Description: `${pkg}.`,
    Version: version,
    OldVersion: node.installed.get(pkg) ?? '',
    Origin: 'Proxmox',
    Priority: section === 'kernel' ? 'optional' : 'important',
    Section: section,
    Arch: 'amd64',
  });
  const patch = 10 + round;
  node.pendingUpdates = [
    update('pve-manager', `9.1.${patch}`, 'admin'),
    update(`proxmox-kernel-6.17.${patch}-1-pve-signed`, `6.17.${patch}-1`, 'kernel'),
    update('proxmox-kernel-6.17', `6.17.${patch}-1`, 'kernel'),
  ];
}
