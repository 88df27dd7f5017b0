// Target (docs/architecture.md): "command received → first PVE API call (no approval), p50
// ≤ 20 ms". `/pve status` (a read: no approval, no PVE call in the core) through the real pipeline
// of `pve-chatops all` (chatops-rig.ts): Bolt, the SlackAdapter (which acks, then posts the request
// message), the core, the BullMQ queue on the real Redis, the worker and the status job, up to the
// moment the client issues its first PVE request. One command at a time, each after the previous
// one's result is in chat, so every sample finds the pipeline idle, as a person typing a command
// does.
//   - from Slack: the clock starts when FakeSlack sends the signed HTTP request;
//   - from the core: the clock starts when an adapter hands the event to core.handle().
// FakeSlack answers chat.postMessage on loopback in about a millisecond; real Slack's Web API takes
// longer, and the SlackAdapter posts the request message before it hands the command to the core.
import type { OutgoingMessage } from '../src/core/message.js';
import { RIG_CHANNEL, type Rig, startRig } from './chatops-rig.js';
import { type BenchRow, percentile } from './report.js';

const SAMPLES = 100;
const WARMUP = 10;
const TARGET_MS = 20;

interface Sample {
  /** From the command to the first PVE call. */
  ms: number;
  /** PVE calls the whole command made. */
  calls: number;
}

/** Starts the command; resolves once its result is in chat. */
async function sample(
  rig: Rig,
  send: () => Promise<unknown>,
  resultShown: () => Promise<unknown>,
): Promise<Sample> {
  let firstCall: number | undefined;
  let calls = 0;
  let resolveFirst!: () => void;
  const first = new Promise<void>((resolve) => {
    resolveFirst = resolve;
  });
  const off = rig.onPveCall((call) => {
    calls += 1;
    if (firstCall !== undefined) return;
    firstCall = call.startedAt;
    resolveFirst();
  });
  try {
    const shown = resultShown();
    const t0 = performance.now();
    const sent = send();
    await first;
    await Promise.all([sent, shown]);
    return { ms: (firstCall ?? Number.NaN) - t0, calls };
  } finally {
    off();
  }
}

async function viaSlack(rig: Rig, i: number): Promise<Sample> {
  const before = rig.fake.messages(RIG_CHANNEL).length;
  return sample(
    rig,
    () => rig.slash('status', i % 50),
    // The request message gets its result mark once the result is posted.
    () =>
      rig.fake.waitFor(() => {
        const requests = rig.fake.messages(RIG_CHANNEL);
        return requests.length > before && requests.at(-1)!.edits.length > 0;
      }, 30_000),
  );
}

async function viaCore(rig: Rig, i: number): Promise<Sample> {
  const thread = { platform: 'bench', channel: `ops-${i}` };
  const isResult = (message: OutgoingMessage) =>
    message.thread.channel === thread.channel && message.notify === true;
  return sample(
    rig,
    () =>
      rig.recorder.core!.handle({
        platform: 'bench',
        user: { id: 'bench:alice', name: 'alice', groups: [] },
        channel: `bench:${thread.channel}`,
        text: 'status',
        thread,
      }),
    () => rig.recorder.next(isResult),
  );
}

async function measure(rig: Rig, run: (rig: Rig, i: number) => Promise<Sample>): Promise<Sample[]> {
  for (let i = 0; i < WARMUP; i += 1) await run(rig, i);
  const samples: Sample[] = [];
  for (let i = 0; i < SAMPLES; i += 1) samples.push(await run(rig, WARMUP + i));
  return samples;
}

function figures(samples: Sample[]): { p50: number; p95: number; max: number } {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? Number.NaN };
}

export async function benchFirstPveCall(): Promise<BenchRow[]> {
  // Every sample must reach PVE: without this, a status within 2 s of the previous one would
  // answer from the shared cluster snapshot and make no PVE call at all.
  const rig = await startRig({ clusterSnapshotMaxAgeMs: 0 });
  try {
    const slack = figures(await measure(rig, viaSlack));
    const coreSamples = await measure(rig, viaCore);
    const core = figures(coreSamples);
    const calls = coreSamples.map((s) => s.calls);
    const measured = (f: typeof slack) => `p50 ${f.p50.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms`;
    return [
      {
        what: `command received → first PVE API call: /pve status from Slack's HTTP request (${SAMPLES}, one at a time)`,
        measured: measured(slack),
        target: `p50 ≤ ${TARGET_MS} ms`,
        ok: slack.p50 <= TARGET_MS,
        design: 'first-call',
        summary: `${measured(slack)} (/pve status, Slack's HTTP request → the worker's first PVE request; startChatOps as \`all\` wires it, one command at a time)`,
        values: { p50Ms: slack.p50, p95Ms: slack.p95, maxMs: slack.max, samples: SAMPLES },
      },
      {
        what: '… the same from core.handle() (core → queue → worker → PVE client)',
        measured: measured(core),
        target: '— (part of the row above)',
        values: { p50Ms: core.p50, p95Ms: core.p95, maxMs: core.max, samples: SAMPLES },
      },
      {
        what: 'PVE calls per /pve status command, whole pipeline (3 nodes)',
        measured:
          Math.min(...calls) === Math.max(...calls)
            ? `${calls[0]} calls`
            : `${Math.min(...calls)}–${Math.max(...calls)} calls`,
        target: '— (see the status-read rows for cluster size)',
        values: { minCalls: Math.min(...calls), maxCalls: Math.max(...calls) },
      },
    ];
  } finally {
    await rig.stop();
  }
}
