// How a handler answers with a `total` next to `data` (the task list and task log do: PVE's
// formatter adds `total` when the handler set a non-zero total result attribute).

/** A handler result carrying `total`; build it with `withTotal`. */
export class DataWithTotal {
  readonly data: unknown;
  readonly total: number;

  constructor(data: unknown, total: number) {
    this.data = data;
    this.total = total;
  }
}

/** Return this from a handler to answer `{"data": data, "total": total}`. */
export function withTotal(data: unknown, total: number): DataWithTotal {
  return new DataWithTotal(data, total);
}
