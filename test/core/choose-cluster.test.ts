// Which cluster a command is for when the bot drives several, from what it names: never a guess.
import { describe, expect, it } from 'vitest';
import { chooseCluster } from '../../src/core/clusters/choose-cluster.js';
import { MEMORY_SNAPSHOT } from './helpers/memory-ports.js';

const names = ['lab', 'prod'];
// The same cluster twice, but prod's nodes renamed: TestVM is in both, node01 only in lab.
const prod = structuredClone(MEMORY_SNAPSHOT);
prod.status.nodes = prod.status.nodes.map((n) => ({ ...n, name: n.name.replace('node', 'srv') }));
const read = async (cluster: string) => (cluster === 'lab' ? MEMORY_SNAPSHOT : prod);

describe('chooseCluster', () => {
  it('takes --cluster, else the channel default, else the one cluster that has what is named', async () => {
    expect(await chooseCluster({ names, flag: 'prod', targets: ['TestVM'], read })).toEqual({
      ok: true,
      cluster: 'prod',
    });
    expect(await chooseCluster({ names, channelDefault: 'lab', targets: ['TestVM'], read })).toEqual({
      ok: true,
      cluster: 'lab',
    });
    expect(await chooseCluster({ names, targets: ['TestVM', 'srv02'], read })).toEqual({
      ok: true,
      cluster: 'prod',
    });
    expect(await chooseCluster({ names, targets: [], read })).toEqual({ ok: true });
  });

  it('answers a name in several clusters with the candidates, and an unknown cluster with the names', async () => {
    expect(await chooseCluster({ names, targets: ['TestVM'], read })).toEqual({
      ok: false,
      message: expect.stringContaining(
        'TestVM exists in several clusters (lab: TestVM (qemu/100) on node01; prod: TestVM (qemu/100) on node01)',
      ),
    });
    expect(await chooseCluster({ names, flag: 'dev', targets: [], read })).toEqual({
      ok: false,
      message: "There is no cluster 'dev': this bot drives lab, prod.",
    });
  });

  it('does not guess when a cluster could not be read: what was found elsewhere may be there too', async () => {
    const prodDown = async (cluster: string) => {
      if (cluster === 'prod') throw new Error('connect ECONNREFUSED');
      return MEMORY_SNAPSHOT;
    };
    expect(await chooseCluster({ names, targets: ['TestVM'], read: prodDown })).toEqual({
      ok: false,
      message:
        'TestVM is in lab (TestVM (qemu/100) on node01), but prod could not be read now and may have it too. Add --cluster lab to go ahead.',
    });
    expect(await chooseCluster({ names, targets: ['nothere'], read: prodDown })).toEqual({
      ok: false,
      message: expect.stringContaining('No cluster has nothere (prod could not be read now)'),
    });
  });
});
