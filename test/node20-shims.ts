// vitest 5 targets Node 22 and calls Map.groupBy and Object.groupBy (Node 21+) in its reporter; this
// machine runs Node 20, where a failing test would otherwise crash the reporter instead of being shown.
// Loaded by vitest.config.ts in vitest's own process; the app never sees it.
type GroupBy = <K, T>(items: Iterable<T>, key: (item: T, index: number) => K) => Map<K, T[]>;

const mapCtor = Map as unknown as { groupBy?: GroupBy };
if (typeof mapCtor.groupBy !== 'function') {
  mapCtor.groupBy = (items, key) => {
    const groups = new Map();
    let index = 0;
    for (const item of items) {
      const k = key(item, index++);
      const list = groups.get(k);
      if (list) list.push(item);
      else groups.set(k, [item]);
    }
    return groups;
  };
}

const objectCtor = Object as unknown as { groupBy?: (items: Iterable<unknown>, key: (item: unknown, index: number) => PropertyKey) => object };
if (typeof objectCtor.groupBy !== 'function') {
  objectCtor.groupBy = (items, key) => Object.fromEntries(mapCtor.groupBy!(items, key));
}
