// `--cluster` is the pipeline's: taken off the text before the grammar reads the command.
import { describe, expect, it } from 'vitest';
import { takeClusterFlag } from '../../src/core/clusters/cluster-flag.js';

describe('takeClusterFlag', () => {
  it('takes --cluster NAME or --cluster=NAME from anywhere in the command, lower-cased', () => {
    expect(takeClusterFlag('migrate TestVM node03 --cluster lab')).toEqual({
      ok: true,
      text: 'migrate TestVM node03',
      cluster: 'lab',
    });
    expect(takeClusterFlag('status --cluster=Prod')).toEqual({ ok: true, text: 'status', cluster: 'prod' });
    expect(takeClusterFlag('--cluster lab reboot TestVM --at "sun 02:00"')).toEqual({
      ok: true,
      text: 'reboot TestVM --at "sun 02:00"',
      cluster: 'lab',
    });
    expect(takeClusterFlag('status')).toEqual({ ok: true, text: 'status' });
    // A word that only contains it is not the flag.
    expect(takeClusterFlag('snapshot TestVM x--cluster')).toEqual({
      ok: true,
      text: 'snapshot TestVM x--cluster',
    });
  });

  it('says what is wrong: no name, or two', () => {
    expect(takeClusterFlag('status --cluster')).toEqual({
      ok: false,
      message: '--cluster needs a cluster name, e.g. `--cluster lab`',
    });
    expect(takeClusterFlag('status --cluster lab --cluster prod')).toEqual({
      ok: false,
      message: '--cluster is given twice: name one cluster',
    });
  });
});
