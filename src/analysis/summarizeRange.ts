import { membersOf, type Policy } from "../model/policy.js";
import { STATUSES } from "../model/status.js";
import { RECORD_VERSION, TOO_LONG } from "../model/record.js";
import { openGunzips } from "../store/gzip.js";
import type { BadLine } from "../model/readSummary.js";
import { utf8 } from "../util/bufferText.js";
import { F, FIELDS, scanRecord, T_ABSENT, T_FALSE, T_NULL, T_NUMBER, T_STRING, T_TRUE, type Scan } from "../store/scanRecord.js";
import { createLayoutReader } from "../store/scanLayout.js";
import { readSegment, type Segment } from "../store/readSegment.js";
import { brokenRule, scannedReason, scannedStatusReason } from "../store/scannedRules.js";
import { compareIso, digits, isCanonicalTail, isCanonicalTs } from "../store/canonicalTs.js";
import { newTally, tally, type ChainTally } from "./chainTally.js";
import { accumulate, newAttemptValues, newGroupAcc, V_COMPLETION, V_COST, V_GATEWAY, V_LATENCY, V_PROMPT, V_SLO, V_TTFT, type Dimension, type GroupAcc, type GroupKeys } from "./groupAcc.js";
import { createValueIds, type ValueIds } from "./valueIds.js";
import { chainDepths, countChain } from "./joinOpenRounds.js";
import { MAX_TIER, NOT_SERVED, replaySlots, ROUNDS_PER_RUN, SERVED, setAny, setResult, VIA_GATEWAY } from "./replaySlots.js";
import { targetKey } from "../model/targetKey.js";

/** What to compute, in a form that crosses to a worker thread. */
export interface SummarySpec {
  by: Dimension[];
  bucketMs?: number;
  /** [current] or [current, previous]: each [since, until) in epoch ms, open ends allowed */
  windows: { since?: number; until?: number }[];
  /**
   * Windows on a grid instead (a time series whose every window has its own groups and chains): window w
   * is [start + w·size, start + (w+1)·size), and `windows` lists them all. A record's window is then found
   * by arithmetic, not by testing each window.
   */
  grid?: { start: number; size: number };
  /** also find the first and last record time in the windows (`extent`) */
  extent?: boolean;
  filters: { chain?: string[]; model?: string[]; endpoint?: string[]; region?: string[] };
  sloByChain: Record<string, number>;
  /** the policy's chains (each tier's targets: endpoint + model + headers id + timeout, several for a pool), or null to learn them from chain/tier fields */
  chains: { name: string; tiers: { targets: { endpoint: string; model: string; headersId: string | null; timeoutMs: number }[] }[] }[] | null;
}

/** A policy's chains as a summary replays them: each tier's endpoint, model and timeout, up to the chain's depth. */
export function policyChains(policy: Policy): NonNullable<SummarySpec["chains"]> {
  return Object.values(policy.chains).map((c) => ({
    name: c.name,
    tiers: c.tiers.slice(0, c.maxDepth).map((t) => ({ targets: membersOf(t).map((m) => ({ endpoint: m.endpoint, model: m.model, headersId: m.headersId, timeoutMs: m.timeoutMs })) })),
  }));
}

/** The latency SLO (slo.p95_ms) of each of a policy's chains that sets one: what SLO attainment is measured against. */
export function policySlos(policy: Policy | undefined): Record<string, number> {
  return Object.fromEntries(Object.values(policy?.chains ?? {}).flatMap((c) => (c.slo.p95Ms === undefined ? [] : [[c.name, c.slo.p95Ms]])));
}

/** Chain outcome counts for one chain in one window. */
export interface ChainCounts extends ChainTally {
  window: number;
  chain: string;
}

/**
 * The probe rounds of a range that may continue in another range, for the caller to join (`joinOpenRounds`):
 * per round `run, round, window, n`, then n × `chain, tier, result` (run and chain index the name lists;
 * result as replaySlots reads it: served, served through a gateway's fallback, or not).
 */
export interface OpenRounds {
  runs: string[];
  chains: string[];
  data: Int32Array;
}

/** One range's partial results. */
export interface PartialSummary {
  groups: { window: number; acc: GroupAcc }[];
  measured: ChainCounts[];
  replayed: ChainCounts[];
  openRounds: OpenRounds;
  lines: number;
  /** per segment: newlines read, blank lines included (where the next segment of its file starts numbering) */
  segmentLines: number[];
  records: number;
  badCount: number;
  /** the first few, numbered within their segment */
  bad: (BadLine & { segment: number })[];
  torn: number;
  newerVersion: number;
  /** per-model probe records the chain replay could not place in a round (no run_id) */
  unplaced: number;
  /** gzip files that ended before their compressed stream did: read up to there */
  cutShort: string[];
  /** with spec.extent: the first and last record time in the windows, epoch ms (Infinity and -Infinity when none) */
  extent: [number, number];
}

const CHUNK = 1024 * 1024;
const MAX_BAD = 5;
// a probe round's records sit close together; one unseen for this many records is complete
const ROUND_AGE = 20_000;
// places for open rounds per run (a power of two)
const RUN_SLOTS_MASK = 4095;
const STATUS_BYTES = STATUSES.map((s) => Buffer.from(s));
const STATUS_BY_SHAPE = new Map<number, number[]>();
STATUS_BYTES.forEach((b, k) => {
  const shape = b.length * 256 + b[0]!;
  STATUS_BY_SHAPE.set(shape, [...(STATUS_BY_SHAPE.get(shape) ?? []), k]);
});
// "chain" and "probe": five bytes, the first four as one little-endian word
const word5 = (text: string) => ({ text, word: Buffer.from(text).readInt32LE(0), last: text.charCodeAt(4) });
const CHAIN = word5("chain");
const PROBE = word5("probe");


/** The slots a probe target fills in the replay: each with the target's timeout there, and whether it is a pool's. */
interface TargetSlots {
  slots: number[];
  timeouts: number[];
  pool: boolean[];
}

/** Where a range sits in the input: a round can carry on from the range before only if there is one, and into the next likewise. */
export interface RangeEdges {
  first: boolean;
  last: boolean;
}

/**
 * Summarises a range of the input: segments in input order, read as one stream (probe rounds carry on
 * from one file to the next). Bad lines are numbered within their segment; `segmentLines` lets the
 * caller number them within the file.
 */
export function summarizeRange(segments: readonly Segment[], spec: SummarySpec, edges: RangeEdges): PartialSummary {
  const out: PartialSummary = {
    groups: [],
    measured: [],
    replayed: [],
    openRounds: { runs: [], chains: [], data: new Int32Array(0) },
    lines: 0,
    segmentLines: [],
    records: 0,
    badCount: 0,
    bad: [],
    torn: 0,
    newerVersion: 0,
    unplaced: 0,
    cutShort: [],
    extent: [Infinity, -Infinity],
  };
  // lines are read into the layout reader's buffer, and every line's fields land in its scan
  const reader = createLayoutReader(CHUNK);
  const layouts: number[] = [];
  const ctx = createContext(spec, out, edges, reader.scan);
  // gzip files are decompressed on a thread of their own, in order, from the start
  const compressed = segments.filter((s) => s.gzip).map((s) => s.file);
  const gunzips = compressed.length > 0 ? openGunzips(compressed) : undefined;
  try {
    segments.forEach((seg, i) => {
      const gunzip = seg.gzip ? gunzips!.next() : undefined;
      out.segmentLines.push(readSegment(seg, i, ctx, reader, layouts, gunzip));
      if (gunzip?.cutShort()) out.cutShort.push(seg.file);
    });
  } finally {
    gunzips?.close();
  }
  return ctx.finish();
}

interface Round {
  runId: number;
  round: number;
  window: number;
  firstSeen: number;
  lastSeen: number;
  /** the slot keys seen, and for each 0 when the tier served (ok within its timeout), -1 when not: the first n entries (the arrays are reused) */
  slots: number[];
  results: number[];
  n: number;
  /** replayed or handed on: a later record with its key starts a new round state */
  done: boolean;
}

const newRound = (): Round => ({ runId: 0, round: 0, window: 0, firstSeen: 0, lastSeen: 0, slots: [], results: [], n: 0, done: false });

const isWs = (c: number) => c === 32 || c === 9 || c === 13;

function bytesEqual(buf: Uint8Array, s: number, e: number, b: Uint8Array): boolean {
  if (e - s !== b.length) return false;
  for (let j = 0; j < b.length; j++) if (buf[s + j] !== b[j]) return false;
  return true;
}

function createContext(spec: SummarySpec, out: PartialSummary, edges: RangeEdges, scan: Scan) {
  const str = (buf: Buffer, f: number): string | null => {
    if (scan.type[f] !== T_STRING) return null;
    const text = utf8(buf, scan.start[f]!, scan.end[f]!);
    return scan.esc[f] ? (JSON.parse(`"${text}"`) as string) : text;
  };
  const text = (buf: Buffer, f: number): string => str(buf, f)!;
  // field f is the plain five-byte string w (its escaped spellings go the slow way)
  const isWord5 = (buf: Buffer, dv: DataView, f: number, w: ReturnType<typeof word5>) => {
    if (scan.type[f] !== T_STRING) return false;
    const st = scan.start[f]!;
    if (scan.esc[f]) return str(buf, f) === w.text;
    return scan.end[f]! - st === 5 && dv.getInt32(st, true) === w.word && buf[st + 4] === w.last;
  };
  const bad = (file: string, segment: number, line: number, reason: string) => {
    out.badCount++;
    if (out.bad.length < MAX_BAD) out.bad.push({ file, segment, line, reason });
  };

  // ---- ids for the fields a report keys, filters or replays by ----
  const fieldIds: (ValueIds | undefined)[] = [];
  const lineIds = new Int32Array(FIELDS.length);
  const usedFields = new Set<number>();
  const allowed: (boolean[] | undefined)[] = [];
  const filterFields: number[] = [];
  for (const name of ["chain", "model", "endpoint", "region"] as const) {
    if (!spec.filters[name]) continue;
    allowed[F[name]] = [false];
    filterFields.push(F[name]);
    usedFields.add(F[name]);
  }
  const sloById: (number | undefined)[] = [undefined];
  const hasSlo = Object.keys(spec.sloByChain).length > 0;
  if (hasSlo) usedFields.add(F.chain);
  const dims = spec.by.map((d) => (d === "hour" || d === "day" || d === "bucket" ? -1 : F[d]));
  for (const f of dims) if (f >= 0) usedFields.add(f);
  if (spec.chains) {
    usedFields.add(F.endpoint);
    usedFields.add(F.model);
    usedFields.add(F.headers_id);
  } else usedFields.add(F.chain);
  const needed = [...usedFields];
  for (const f of needed) {
    const filter = spec.filters[FIELD_NAMES[f] as keyof SummarySpec["filters"]];
    const set = filter ? new Set(filter) : undefined;
    fieldIds[f] = createValueIds((id, value) => {
      if (set) allowed[f]![id] = typeof value === "string" && set.has(value);
      if (f === F.chain) sloById[id] = typeof value === "string" ? spec.sloByChain[value] : undefined;
    });
  }
  const idOf = (buf: Buffer, dv: DataView, f: number): number => {
    const t = scan.type[f];
    const ids = fieldIds[f]!;
    if (t === T_STRING) return scan.esc[f] ? ids.ofText(str(buf, f)!) : ids.ofBytes(buf, dv, scan.start[f]!, scan.end[f]!);
    if (t === T_NUMBER) return ids.ofNumber(scan.num[f]!);
    if (t === T_TRUE || t === T_FALSE) return ids.ofBoolean(t === T_TRUE);
    // a record that does not say it streamed was a plain request (an application's logger, an older writer)
    if (f === F.stream) return ids.ofBoolean(false);
    return 0;
  };
  const hourIds = createValueIds();
  const dayIds = createValueIds();
  const bucketIds = createValueIds();
  const bucketMs = spec.bucketMs ?? 3_600_000;

  // ---- groups: a tree of arrays indexed by each dimension's id, one root per window ----
  const roots: unknown[][] = spec.windows.map(() => []);
  const dimIds = new Int32Array(Math.max(1, dims.length));
  const leafOf = (window: number): GroupAcc => {
    let node = roots[window]!;
    const last = dims.length - 1;
    if (last < 0) return (node[0] ??= newLeaf(window)) as GroupAcc;
    for (let d = 0; d < last; d++) node = (node[dimIds[d]!] ??= []) as unknown[];
    return (node[dimIds[last]!] ??= newLeaf(window)) as GroupAcc;
  };
  const newLeaf = (window: number): GroupAcc => {
    const keys: GroupKeys = {};
    spec.by.forEach((d, k) => {
      const id = dimIds[k]!;
      if (d === "hour") keys.hour = hourIds.values[id]!;
      else if (d === "day") keys.day = dayIds.values[id]!;
      else if (d === "bucket") keys.bucket = new Date(bucketIds.values[id] as number).toISOString();
      else keys[d] = fieldIds[dims[k]!]!.values[id]!;
    });
    const acc = newGroupAcc(keys);
    out.groups.push({ window, acc });
    return acc;
  };
  const values = newAttemptValues();

  // ---- time ----
  const grid = spec.grid;
  const wantExtent = spec.extent === true;
  const windows = spec.windows.map((w) => ({
    since: w.since,
    until: w.until,
    sinceIso: w.since === undefined ? undefined : Buffer.from(new Date(w.since).toISOString()),
    untilIso: w.until === undefined ? undefined : Buffer.from(new Date(w.until).toISOString()),
  }));
  // lines close together share a timestamp's date, hour and minute: those 16 bytes, once checked, are
  // kept as two words (ASCII digits and signs: never NaN or ±0, so === compares the bytes)
  const tsHead = new Float64Array([NaN, NaN]);
  const canonicalTs = (buf: Buffer, dv: DataView, s: number): boolean => {
    const w0 = dv.getFloat64(s, true);
    const w1 = dv.getFloat64(s + 8, true);
    if (w0 === tsHead[0] && w1 === tsHead[1]) return isCanonicalTail(buf, s);
    if (!isCanonicalTs(buf, s)) return false;
    tsHead[0] = w0;
    tsHead[1] = w1;
    return true;
  };
  const epochOf = (buf: Buffer, canonical: boolean): number => {
    if (!canonical) return Date.parse(str(buf, F.ts)!);
    const s = scan.start[F.ts]!;
    return Date.UTC(digits(buf, s, 4), digits(buf, s + 5, 2) - 1, digits(buf, s + 8, 2), digits(buf, s + 11, 2), digits(buf, s + 14, 2), digits(buf, s + 17, 2), digits(buf, s + 20, 3));
  };

  // ---- chain replay over probe rounds ----
  // policy chains: which slots a target (endpoint id, model id, headers id) fills, with its timeout there,
  // and whether the slot is a pool's (any member that serves serves the tier)
  const targetSlotsByName = new Map<string, TargetSlots>();
  spec.chains?.forEach((c, ci) =>
    c.tiers.forEach((t, i) => {
      for (const m of t.targets) {
        const target = targetKey(m.endpoint, m.model, m.headersId);
        let e = targetSlotsByName.get(target);
        if (!e) targetSlotsByName.set(target, (e = { slots: [], timeouts: [], pool: [] }));
        e.slots.push(ci * MAX_TIER + i + 1);
        e.timeouts.push(m.timeoutMs);
        e.pool.push(t.targets.length > 1);
      }
    }),
  );
  // by endpoint id, then model id and headers id as one number (ids stay far below 2^26)
  const targetSlots: Map<number, TargetSlots | null>[] = [];
  const slotsOfTarget = (endpointId: number, modelId: number, headersId: number): TargetSlots | null => {
    const key = modelId * 0x4000000 + headersId;
    const byEndpoint = (targetSlots[endpointId] ??= new Map());
    let slots = byEndpoint.get(key);
    if (slots === undefined) {
      const e = fieldIds[F.endpoint]!.values[endpointId];
      const m = fieldIds[F.model]!.values[modelId];
      const h = fieldIds[F.headers_id]!.values[headersId];
      slots = typeof e === "string" && typeof m === "string" ? (targetSlotsByName.get(targetKey(e, m, typeof h === "string" ? h : null)) ?? null) : null;
      byEndpoint.set(key, slots);
    }
    return slots;
  };
  const chainName = (chainKey: number): string => (spec.chains ? spec.chains[chainKey]!.name : (fieldIds[F.chain]!.values[chainKey] as string));
  const replayed: (ChainCounts | undefined)[][] = spec.windows.map(() => []);
  const countReplayed = (window: number, chainKey: number, served: number | null, gateway: boolean) => {
    const list = replayed[window]!;
    tally((list[chainKey] ??= { window, chain: chainName(chainKey), ...newTally() }), served, gateway);
  };
  const measured = new Map<string, ChainCounts>();
  let seen = 0;
  const policyTiers = chainDepths(spec);
  const replay = (r: Round) => replaySlots(r.slots, r.results, r.n, policyTiers, r.window, countReplayed);
  // A round unseen for ROUND_AGE records is complete. One that began near the start of this range may
  // have begun in the range before, and one still open at the end may go on in the next (when there is
  // such a range): those go to the caller, which joins them across ranges; the others are replayed here.
  const handOnAtEnd = !edges.last;
  const handed: number[] = [];
  const handedRuns = new Map<number, number>();
  const handedChains = new Map<number, number>();
  const handOn = (r: Round) => {
    const runs = out.openRounds.runs;
    const chains = out.openRounds.chains;
    let run = handedRuns.get(r.runId);
    if (run === undefined) handedRuns.set(r.runId, (run = runs.push(runIds.values[r.runId] as string) - 1));
    handed.push(run, r.round, r.window, r.n);
    for (let k = 0; k < r.n; k++) {
      const chainKey = Math.floor(r.slots[k]! / MAX_TIER);
      let chain = handedChains.get(chainKey);
      if (chain === undefined) handedChains.set(chainKey, (chain = chains.push(chainName(chainKey)) - 1));
      handed.push(chain, r.slots[k]! % MAX_TIER, r.results[k]!);
    }
  };
  const handOnAtStart = !edges.first;
  const flushRounds = (all: boolean) => {
    // live rounds are in the order they began, and a round is last seen no earlier than it began: when
    // the first began too recently, no round is old enough
    if (!all && (live.length === 0 || seen - live[0]!.firstSeen < ROUND_AGE)) return;
    let kept = 0;
    for (let i = 0; i < live.length; i++) {
      const r = live[i]!;
      if (!all && seen - r.lastSeen < ROUND_AGE) {
        live[kept++] = r;
        continue;
      }
      const table = byRun[r.runId]!;
      if (table.slots[r.round & RUN_SLOTS_MASK] === r) table.slots[r.round & RUN_SLOTS_MASK] = undefined;
      else table.overflow.delete(r.round);
      r.done = true;
      if ((all && handOnAtEnd) || (handOnAtStart && r.firstSeen <= ROUND_AGE)) handOn(r);
      else replay(r);
      spare.push(r);
    }
    live.length = kept;
  };
  // A round is its run id (by id) and its number, both small integers, so finding one boxes no number;
  // records of a round sit together, so the last few rounds found are tried first. Replayed rounds are
  // reused: steady state makes no garbage.
  const runIds = createValueIds();
  // a run's open rounds by number: direct-mapped by the low bits (rounds of a run open and close in
  // order, so few collide), a map for a round whose place a still-open round holds
  const byRun: ({ slots: (Round | undefined)[]; overflow: Map<number, Round> } | undefined)[] = [];
  // both arrays hold objects from the start (an empty array literal holds small integers until its first
  // push, and code optimized before that push is thrown away at it)
  const live: Round[] = [newRound()];
  const spare: Round[] = [newRound()];
  live.length = 0;
  const recent: (Round | undefined)[] = new Array<Round | undefined>(8).fill(undefined);
  let recentAt = 0;
  const roundOf = (b: Buffer, dv: DataView, round: number, window: number): Round => {
    const runId = scan.esc[F.run_id] ? runIds.ofText(str(b, F.run_id)!) : runIds.ofBytes(b, dv, scan.start[F.run_id]!, scan.end[F.run_id]!);
    // newest first
    for (let k = 1; k <= recent.length; k++) {
      const m = recent[(recentAt - k) & 7];
      if (m !== undefined && m.round === round && m.runId === runId && !m.done) return m;
    }
    const table = (byRun[runId] ??= { slots: new Array<Round | undefined>(RUN_SLOTS_MASK + 1).fill(undefined), overflow: new Map() });
    const at = round & RUN_SLOTS_MASK;
    let r = table.slots[at];
    if (r === undefined || r.round !== round || r.runId !== runId || r.done) r = table.overflow.size > 0 ? table.overflow.get(round) : undefined;
    if (r === undefined) {
      r = spare.pop() ?? newRound();
      r.runId = runId;
      r.round = round;
      r.window = window;
      r.firstSeen = seen;
      r.lastSeen = seen;
      r.n = 0;
      r.done = false;
      const held = table.slots[at];
      if (held === undefined || held.done || held.runId !== runId) table.slots[at] = r;
      else table.overflow.set(round, r);
      live.push(r);
    }
    recent[recentAt] = r;
    recentAt = (recentAt + 1) & 7;
    return r;
  };

  const statusOf = (buf: Buffer): number => {
    if (scan.type[F.status] !== T_STRING) return -1;
    const s = scan.start[F.status]!;
    const e = scan.end[F.status]!;
    if (scan.esc[F.status]) return (STATUSES as readonly string[]).indexOf(str(buf, F.status)!);
    // "ok" is nearly every record: check it first, then only the statuses of the same length and initial
    if (e - s === 2 && buf[s] === 111 && buf[s + 1] === 107) return 0;
    const cands = STATUS_BY_SHAPE.get((e - s) * 256 + buf[s]!);
    if (cands) for (const k of cands) if (bytesEqual(buf, s, e, STATUS_BYTES[k]!)) return k;
    return -1;
  };

  const ctx = {
    scan,
    out,
    /** A line longer than any record: counted, not read. */
    tooLong(file: string, segment: number, lineNo: number): void {
      out.lines++;
      bad(file, segment, lineNo, TOO_LONG);
    },
    /** A line read by the general scanner (or JSON.parse); true when it read as a record in place. */
    line(buf: Buffer, dv: DataView, s: number, e: number, file: string, segment: number, lineNo: number, lastOfFile: boolean): boolean {
      // blank lines are not records
      let j = s;
      while (j < e && isWs(buf[j]!)) j++;
      if (j === e) return false;
      out.lines++;
      if (scanRecord(buf, s, e, scan)) {
        ctx.record(buf, dv, file, segment, lineNo);
        return true;
      }
      let value: unknown;
      try {
        value = JSON.parse(utf8(buf, s, e));
      } catch {
        if (lastOfFile) out.torn++;
        else bad(file, segment, lineNo, "not valid JSON");
        return false;
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        bad(file, segment, lineNo, "not a JSON object");
        return false;
      }
      const b = Buffer.from(JSON.stringify(value));
      if (!scanRecord(b, 0, b.length, scan)) bad(file, segment, lineNo, "not a record tierwatch can read");
      else ctx.record(b, new DataView(b.buffer, b.byteOffset, b.length), file, segment, lineNo);
      return false;
    },
    /** The record `scan` holds (its offsets into `b`). */
    record(b: Buffer, dv: DataView, file: string, segment: number, lineNo: number): void {
      const type = scan.type;
      if (type[F.v] !== 0 && type[F.v] !== T_NUMBER) return bad(file, segment, lineNo, "v (schema version) is not a number");
      if (type[F.v] === T_NUMBER && scan.num[F.v]! > RECORD_VERSION) {
        out.newerVersion++;
        return bad(file, segment, lineNo, `schema version ${scan.num[F.v]} is newer than this tierwatch reads (${RECORD_VERSION}); upgrade tierwatch`);
      }
      if (type[F.ts] !== T_STRING) return bad(file, segment, lineNo, "ts is missing or not a date");
      const tsStart = scan.start[F.ts]!;
      const canonical = scan.end[F.ts]! - tsStart === 24 && !scan.esc[F.ts] && canonicalTs(b, dv, tsStart);
      let epoch = NaN;
      if (!canonical && Number.isNaN((epoch = Date.parse(str(b, F.ts)!)))) return bad(file, segment, lineNo, "ts is missing or not a date");
      const status = statusOf(b);
      // no closure over b here: a variable a closure captures is allocated afresh on every call of record()
      if (status < 0) return bad(file, segment, lineNo, scannedStatusReason(scan, b, text));
      const broken = brokenRule(scan);
      if (broken >= 0) return bad(file, segment, lineNo, scannedReason(scan, broken, b, text));
      out.records++;
      seen++;

      // which window, if any
      let window = -1;
      if (grid) {
        const w = Math.floor((epochOf(b, canonical) - grid.start) / grid.size);
        if (w < 0 || w >= windows.length) return;
        window = w;
      } else for (let w = 0; w < windows.length; w++) {
        const win = windows[w]!;
        if (canonical) {
          if (win.sinceIso !== undefined && compareIso(b, tsStart, win.sinceIso) < 0) continue;
          if (win.untilIso !== undefined && compareIso(b, tsStart, win.untilIso) >= 0) continue;
        } else {
          if (win.since !== undefined && epoch < win.since) continue;
          if (win.until !== undefined && epoch >= win.until) continue;
        }
        window = w;
        break;
      }
      if (window < 0) return;
      if (wantExtent) {
        const t = epochOf(b, canonical);
        if (t < out.extent[0]) out.extent[0] = t;
        if (t > out.extent[1]) out.extent[1] = t;
      }
      for (let k = 0; k < needed.length; k++) lineIds[needed[k]!] = idOf(b, dv, needed[k]!);
      for (let k = 0; k < filterFields.length; k++) {
        const f = filterFields[k]!;
        if (!allowed[f]![lineIds[f]!]) return;
      }

      if (isWord5(b, dv, F.kind, CHAIN)) {
        const chain = str(b, F.chain);
        if (chain === null) return;
        const served = status === 0 && type[F.served_tier] === T_NUMBER ? scan.num[F.served_tier]! : null;
        countChain(measured, window, chain, served, served !== null && type[F.gateway_fallback] === T_TRUE);
        return;
      }

      // the group
      for (let d = 0; d < dims.length; d++) {
        const f = dims[d]!;
        if (f >= 0) dimIds[d] = lineIds[f]!;
        else if (spec.by[d] === "hour") dimIds[d] = canonical ? hourIds.ofBytes(b, dv, tsStart + 11, tsStart + 13) : hourIds.ofText(str(b, F.ts)!.slice(11, 13));
        else if (spec.by[d] === "day") dimIds[d] = canonical ? dayIds.ofBytes(b, dv, tsStart, tsStart + 10) : dayIds.ofText(str(b, F.ts)!.slice(0, 10));
        else dimIds[d] = bucketIds.ofNumber(Math.floor(epochOf(b, canonical) / bucketMs) * bucketMs);
      }
      const acc = leafOf(window);
      // a number or NaN (never null: a union would box every double); the values travel to accumulate
      // in a typed array, so no double is boxed on the way
      const num = scan.num;
      const latency = type[F.latency_ms] === T_NUMBER ? num[F.latency_ms]! : NaN;
      values[V_LATENCY] = latency;
      values[V_TTFT] = type[F.ttft_ms] === T_NUMBER ? num[F.ttft_ms]! : NaN;
      values[V_SLO] = hasSlo ? (sloById[lineIds[F.chain]!] ?? NaN) : NaN;
      values[V_PROMPT] = type[F.prompt_tokens] === T_NUMBER ? num[F.prompt_tokens]! : NaN;
      values[V_COMPLETION] = type[F.completion_tokens] === T_NUMBER ? num[F.completion_tokens]! : NaN;
      values[V_COST] = type[F.cost_usd] === T_NUMBER ? num[F.cost_usd]! : NaN;
      const gatewayType = type[F.gateway_fallback];
      values[V_GATEWAY] = gatewayType === T_TRUE ? 1 : gatewayType === T_FALSE ? 0 : NaN;
      // the cause of a failure of a folding status (bad_request: model_not_found, network: dns, ...)
      accumulate(acc, status, values, status !== 0 && type[F.error_code] === T_STRING ? str(b, F.error_code) : null);

      // per-model probe rounds feed the chain replay
      // roundKey's rule (store/roundKey.ts), on the scanned fields: an origin absent or null is a probe; a
      // probe without a run_id cannot be placed; one without a round is round 0 of its run
      const originType = type[F.origin];
      if (originType !== T_ABSENT && originType !== T_NULL && !isWord5(b, dv, F.origin, PROBE)) return;
      if (type[F.run_id] !== T_STRING) {
        out.unplaced++;
        return;
      }
      // a whole number >= 0 when present (the field rules saw to that)
      const round = type[F.round] === T_NUMBER ? scan.num[F.round]! : 0;
      if (round >= ROUNDS_PER_RUN) return;
      let slots: TargetSlots | null = null;
      let slot = -1;
      if (spec.chains) {
        if (type[F.endpoint] !== T_STRING || type[F.model] !== T_STRING) return;
        slots = slotsOfTarget(lineIds[F.endpoint]!, lineIds[F.model]!, lineIds[F.headers_id]!);
        if (!slots) return;
      } else {
        const tier = scan.num[F.tier]!;
        if (type[F.chain] !== T_STRING || type[F.tier] !== T_NUMBER || !Number.isInteger(tier) || tier < 1 || tier >= MAX_TIER) return;
        // a whole number: a double stored in the round's slot list would be boxed
        slot = (lineIds[F.chain]! * MAX_TIER + tier) | 0;
      }
      const r = roundOf(b, dv, round | 0, window);
      r.lastSeen = seen;
      const served = gatewayType === T_TRUE ? VIA_GATEWAY : SERVED;
      if (slots) {
        // a tier serves when ok within its timeout (a record without a latency: ok); a pool when any member does
        for (let k = 0; k < slots.slots.length; k++) {
          const v = status === 0 && !(latency > slots.timeouts[k]!) ? served : NOT_SERVED;
          if (slots.pool[k]) setAny(r, slots.slots[k]!, v);
          else setResult(r, slots.slots[k]!, v);
        }
      } else setResult(r, slot, status === 0 ? served : NOT_SERVED);
      // also on each of the first records (each then finds nothing to flush): V8 records what a call does
      // only once the function has run a while, and a call first made from optimized code throws the code away
      if ((seen & 16383) === 0 || seen <= 1024) flushRounds(false);
    },
    finish(): PartialSummary {
      flushRounds(true);
      out.openRounds.data = Int32Array.from(handed);
      out.measured = [...measured.values()];
      out.replayed = replayed.flatMap((list) => list.filter((c): c is ChainCounts => c !== undefined));
      return out;
    },
  };
  return ctx;
}

const FIELD_NAMES = Object.fromEntries(Object.entries(F).map(([k, v]) => [v, k])) as Record<number, string>;
