/** A map keyed by raw bytes (FNV-1a hashed, compared byte by byte): no string is made to look a key up. */
export function createByteTable<T>() {
  const buckets = new Map<number, { key: Uint8Array; value: T }[]>();
  return {
    /** the value stored for key[0, len), or the one `make` creates and stores */
    getOrCreate(key: Uint8Array, len: number, make: () => T): T {
      let h = 0x811c9dc5;
      for (let j = 0; j < len; j++) h = Math.imul(h ^ key[j]!, 0x01000193);
      let list = buckets.get(h);
      if (list) {
        outer: for (const e of list) {
          if (e.key.length !== len) continue;
          for (let j = 0; j < len; j++) if (e.key[j] !== key[j]) continue outer;
          return e.value;
        }
      } else buckets.set(h, (list = []));
      const value = make();
      list.push({ key: key.slice(0, len), value });
      return value;
    },
  };
}
