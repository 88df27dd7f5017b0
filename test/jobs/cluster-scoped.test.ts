// A job on one of several clusters names its cluster wherever the same words could mean another.
import { describe, expect, it } from 'vitest';
import { alertOn, offersOn, stateNameOn } from '../../src/jobs/cluster-scoped.js';

describe('what a job on one cluster says', () => {
  it('offers its commands with --cluster, once', () => {
    expect(
      offersOn(
        [
          { label: 'Roll back', command: 'rollback TestVM chatops-20260105-090000' },
          { label: 'Status', command: 'status --cluster lab' },
        ],
        'prod',
      ),
    ).toEqual([
      { label: 'Roll back', command: 'rollback TestVM chatops-20260105-090000 --cluster prod' },
      { label: 'Status', command: 'status --cluster lab' },
    ]);
    const offers = [{ label: 'Roll back', command: 'rollback 100 x' }];
    expect(offersOn(offers, undefined)).toBe(offers);
  });

  it('alerts under a key and title of its cluster, so two clusters’ incidents stay two', () => {
    const alert = {
      key: 'storage:local',
      source: 'watch' as const,
      type: 'storage' as const,
      severity: 'warning' as const,
      title: 'Storage local is 91% full',
      state: 'open' as const,
      offers: [{ label: 'Status', command: 'status node01' }],
      at: 0,
    };
    expect(alertOn(alert, 'lab')).toMatchObject({
      key: 'lab/storage:local',
      title: '[lab] Storage local is 91% full',
      offers: [{ label: 'Status', command: 'status node01 --cluster lab' }],
    });
    expect(alertOn(alert, undefined)).toBe(alert);
    expect([stateNameOn('cluster-watch', 'lab'), stateNameOn('cluster-watch', undefined)]).toEqual([
      'cluster-watch@lab',
      'cluster-watch',
    ]);
  });
});
