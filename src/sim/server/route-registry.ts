// The platform's side of the RouteRegistry contract: the domain registers one handler per schema
// method; a typo in a template fails at start-up instead of turning into a silent 501.

import type { HttpMethod, RouteRegistry, SimHandler } from '../types.js';
import type { ApiSchema } from './api-schema.js';
import { methodSchema } from './api-schema.js';

export class SimRouteRegistry implements RouteRegistry {
  readonly #schema: ApiSchema;
  readonly #handlers = new Map<string, SimHandler>();

  constructor(schema: ApiSchema) {
    this.#schema = schema;
  }

  on(method: HttpMethod, template: string, handler: SimHandler): void {
    if (!methodSchema(this.#schema, template, method)) {
      throw new Error(
        `${method} ${template} is not in the PVE ${this.#schema.version} schema the simulator serves`,
      );
    }
    const key = `${method} ${template}`;
    if (this.#handlers.has(key)) throw new Error(`a handler for ${key} is already registered`);
    this.#handlers.set(key, handler);
  }

  handler(method: string, template: string): SimHandler | undefined {
    return this.#handlers.get(`${method} ${template}`);
  }
}
