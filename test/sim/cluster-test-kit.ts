// A tiny RouteRegistry that records handlers, so domain tests call endpoints without HTTP.

import type { SimCluster } from '../../src/sim/cluster/sim-cluster.js';
import type { SimTask } from '../../src/sim/cluster/sim-task.js';
import { registerClusterRoutes } from '../../src/sim/routes/register-routes.js';
import { DataWithTotal } from '../../src/sim/server/with-total.js';
import type { HttpMethod, ParamValue, RouteRegistry, SimHandler } from '../../src/sim/types.js';

export class RecordingRegistry implements RouteRegistry {
  readonly handlers = new Map<string, SimHandler>();
  on(method: HttpMethod, template: string, handler: SimHandler): void {
    this.handlers.set(`${method} ${template}`, handler);
  }
}

export interface Api {
  call(
    method: HttpMethod,
    template: string,
    params?: Record<string, ParamValue>,
    options?: { servingNode?: string; user?: string },
  ): Promise<unknown>;
  /** The `{data, total}` pair of handlers that answer with a total. */
  callWithTotal(
    template: string,
    params: Record<string, ParamValue>,
  ): Promise<{ data: unknown; total: number }>;
}

export function apiFor(cluster: SimCluster): Api {
  const registry = new RecordingRegistry();
  registerClusterRoutes(registry, cluster);
  const call: Api['call'] = async (method, template, params = {}, options = {}) => {
    const handler = registry.handlers.get(`${method} ${template}`);
    if (!handler) throw new Error(`no handler for ${method} ${template}`);
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name]));
    const result = await handler({
      method,
      path,
      template,
      params,
      servingNode: options.servingNode ?? 'node01',
      user: options.user ?? 'chatops@pve!bot',
    });
    return result instanceof DataWithTotal ? result.data : result;
  };
  return {
    call,
    async callWithTotal(template, params) {
      const handler = registry.handlers.get(`GET ${template}`);
      if (!handler) throw new Error(`no handler for GET ${template}`);
      const result = await handler({
        method: 'GET',
        path: template,
        template,
        params,
        servingNode: 'node01',
        user: 'chatops@pve!bot',
      });
      if (!(result instanceof DataWithTotal)) throw new Error('expected a total');
      return { data: result.data, total: result.total };
    },
  };
}

/** Resolves with the task once it has stopped (its final log line written), from `onDone`. */
export function taskDone(cluster: SimCluster, upid: string): Promise<SimTask> {
  const task = cluster.task(upid);
  if (!task) return Promise.reject(new Error(`no task ${upid}`));
  return new Promise((resolve) => task.onDone(resolve));
}

/** Polls `check` until it returns a truthy value or the deadline passes (for states, not task ends: see taskDone). */
export async function waitFor<T>(
  check: () => T | undefined | null | false,
  what: string,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
