import { closeSync, openSync, readSync } from "node:fs";
import { STATUSES, type Status } from "../probe/status.js";
import { RECORD_VERSION } from "../store/record.js";
import type { BadLine } from "../store/readRecords.js";
import { utf8 } from "../util/bufferText.js";
import { createByteTable } from "../util/createByteTable.js";
import { F, newScan, scanRecord, T_NUMBER, T_STRING } from "../store/scanRecord.js";
import { newTally, tally, type ChainTally } from "./chainTally.js";
import { addAttempt, newGroupAcc, type Dimension, type GroupAcc, type GroupKeys } from "./groupAcc.js";
import { replayRound, slotId } from "./replayRound.js";

/** What to compute, in a form that crosses to a worker thread. */
export interface SummarySpec {
  by: Dimension[];
  bucketMs?: number;
  /** [current] or [current, previous]: each [since, until) in epoch ms, open ends allowed */
  windows: { since?: number; until?: number }[];
  filters: { chain?: string[]; model?: string[]; endpoint?: string[]; region?: string[] };
  sloByChain: Record<string, number>;
  /** the policy's chains (tiers as endpoint + model + timeout), or null to learn them from chain/tier fields */
  chains: { name: string; tiers: { endpoint: string; model: string; timeoutMs: number }[] }[] | null;
}

/** Chain outcome counts for one chain in one window. */
export interface ChainCounts extends ChainTally {
  window: number;
  chain: string;
}

/** A probe round that may continue in another piece of the input: slots it saw, merged by the caller. */
export interface OpenRound {
  key: string;
  window: number;
  /** slot id → latency when ok, -1 when not */
  results: Record<string, number>;
}

/** One piece's partial results. */
export interface PartialSummary {
  groups: { window: number; acc: GroupAcc }[];
  measured: ChainCounts[];
  replayed: ChainCounts[];
  openRounds: OpenRound[];
  lines: number;
  /** newlines read, blank lines included: where the next piece's line numbers start */
  lineCount: number;
  records: number;
  badCount: number;
  bad: BadLine[];
  torn: number;
  newerVersion: number;
}

const CHUNK = 8 * 1024 * 1024;
const MAX_BAD = 5;
// a probe round's records sit close together; one unseen for this many records is complete
const ROUND_AGE = 20_000;
const STATUS_BYTES = STATUSES.map((s) => Buffer.from(s));
const STATUS_BY_SHAPE = new Map<number, number[]>();
STATUS_BYTES.forEach((b, k) => {
  const shape = b.length * 256 + b[0]!;
  STATUS_BY_SHAPE.set(shape, [...(STATUS_BY_SHAPE.get(shape) ?? []), k]);
});
const CHAIN = Buffer.from("chain");
const PROBE = Buffer.from("probe");
const enc = new TextEncoder();

/**
 * Summarises the lines that start in [start, end) of one file (a line starting before `end` is read to
 * its end). Lines are numbered from `firstLine` (the caller knows how many came before).
 */
export function summarizeRange(file: string, start: number, end: number, fileSize: number, spec: SummarySpec, firstLine = 1): PartialSummary {
  const out: PartialSummary = { groups: [], measured: [], replayed: [], openRounds: [], lines: 0, lineCount: 0, records: 0, badCount: 0, bad: [], torn: 0, newerVersion: 0 };
  const ctx = createContext(spec, out);
  const fd = openSync(file, "r");
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let filled = 0;
    let pos = start;
    // a piece that starts mid-line leaves that line to the piece before it
    if (start > 0) {
      const one = Buffer.alloc(1);
      readSync(fd, one, 0, 1, start - 1);
      if (one[0] !== 10) {
        for (;;) {
          const n = readSync(fd, buf, 0, CHUNK, pos);
          if (n === 0) return finish(ctx, out);
          const nl = buf.indexOf(10, 0);
          if (nl >= 0 && nl < n) {
            pos += nl + 1;
            break;
          }
          pos += n;
        }
      }
    }
    let lineNo = firstLine;
    let lineStartAbs = pos;
    while (lineStartAbs < end) {
      const n = readSync(fd, buf, filled, buf.length - filled, pos);
      pos += n;
      const avail = filled + n;
      let ls = 0;
      for (;;) {
        if (lineStartAbs >= end) break;
        const nl = buf.indexOf(10, ls);
        if (nl < 0 || nl >= avail) break;
        ctx.line(buf, ls, nl, file, lineNo, false);
        lineNo++;
        out.lineCount++;
        lineStartAbs += nl + 1 - ls;
        ls = nl + 1;
      }
      if (lineStartAbs >= end) break;
      if (n === 0) {
        // end of file without a newline: the last line was cut mid-write, unless it reads as a whole record
        if (ls < avail) ctx.line(buf, ls, avail, file, lineNo, pos >= fileSize);
        break;
      }
      // keep the unfinished line at the front; grow the buffer when one line fills it
      filled = avail - ls;
      if (ls === 0 && filled === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      } else buf.copy(buf, 0, ls, avail);
    }
  } finally {
    closeSync(fd);
  }
  return finish(ctx, out);
}

interface Round {
  window: number;
  firstSeen: number;
  lastSeen: number;
  results: Map<string, number>;
}

function createContext(spec: SummarySpec, out: PartialSummary) {
  const scan = newScan();
  const table = createByteTable<GroupAcc>();
  const keyBuf = new Uint8Array(4096);
  const filters = {
    chain: spec.filters.chain?.map((x) => enc.encode(x)),
    model: spec.filters.model?.map((x) => enc.encode(x)),
    endpoint: spec.filters.endpoint?.map((x) => enc.encode(x)),
    region: spec.filters.region?.map((x) => enc.encode(x)),
  };
  const windows = spec.windows.map((w) => ({
    since: w.since,
    until: w.until,
    sinceIso: w.since === undefined ? undefined : new Date(w.since).toISOString(),
    untilIso: w.until === undefined ? undefined : new Date(w.until).toISOString(),
  }));
  // replay: which slots (chain, tier) a target's result fills
  const targetSlots = new Map<string, string[]>();
  const slotTimeout = new Map<string, number>();
  if (spec.chains) {
    for (const c of spec.chains) {
      c.tiers.forEach((t, i) => {
        const slot = slotId(c.name, i + 1);
        const target = `${t.endpoint}\u0000${t.model}`;
        targetSlots.set(target, [...(targetSlots.get(target) ?? []), slot]);
        slotTimeout.set(slot, t.timeoutMs);
      });
    }
  }
  const measured = new Map<string, ChainCounts>();
  const rounds = new Map<string, Round>();
  const replayed = new Map<string, ChainCounts>();
  const chainShapes = spec.chains?.map((c) => ({ name: c.name, tiers: c.tiers.length })) ?? null;
  let seen = 0;

  const str = (buf: Buffer, f: number): string | null => {
    if (scan.type[f] !== T_STRING) return null;
    const text = utf8(buf, scan.start[f]!, scan.end[f]!);
    return scan.esc[f] ? (JSON.parse(`"${text}"`) as string) : text;
  };
  const isString = (buf: Uint8Array, f: number, b: Uint8Array) => scan.type[f] === T_STRING && !scan.esc[f] && bytesEqual(buf, scan.start[f]!, scan.end[f]!, b);
  const num = (f: number): number | null => (scan.type[f] === T_NUMBER ? scan.num[f]! : null);
  const bytesEqual = (buf: Uint8Array, s: number, e: number, b: Uint8Array) => {
    if (e - s !== b.length) return false;
    for (let j = 0; j < b.length; j++) if (buf[s + j] !== b[j]) return false;
    return true;
  };
  const passes = (buf: Buffer, f: number, allowed: Uint8Array[] | undefined): boolean => {
    if (!allowed) return true;
    if (scan.type[f] !== T_STRING) return false;
    if (scan.esc[f]) {
      const v = enc.encode(str(buf, f) ?? "");
      return allowed.some((a) => bytesEqual(v, 0, v.length, a));
    }
    return allowed.some((a) => bytesEqual(buf, scan.start[f]!, scan.end[f]!, a));
  };
  const statusOf = (buf: Buffer): Status | undefined => {
    if (scan.type[F.status] !== T_STRING) return undefined;
    const s = scan.start[F.status]!;
    const e = scan.end[F.status]!;
    if (scan.esc[F.status]) {
      const v = str(buf, F.status);
      return (STATUSES as readonly string[]).includes(v ?? "") ? (v as Status) : undefined;
    }
    // "ok" is nearly every record: check it first, then only the statuses of the same length and initial
    if (e - s === 2 && buf[s] === 111 && buf[s + 1] === 107) return "ok";
    const cands = STATUS_BY_SHAPE.get((e - s) * 256 + buf[s]!);
    if (cands) for (const k of cands) if (bytesEqual(buf, s, e, STATUS_BYTES[k]!)) return STATUSES[k];
    return undefined;
  };
  const bad = (file: string, line: number, reason: string) => {
    out.badCount++;
    if (out.bad.length < MAX_BAD) out.bad.push({ file, line, reason });
  };

  // Appends one dimension's value to the key: a tag, the bytes, a separator.
  let klen = 0;
  const putBytes = (src: Uint8Array, s: number, e: number) => {
    for (let j = s; j < e; j++) keyBuf[klen++] = src[j]!;
  };
  const putField = (buf: Buffer, f: number) => {
    const t = scan.type[f];
    if (t === T_STRING) {
      keyBuf[klen++] = 1;
      if (scan.esc[f]) {
        const v = enc.encode(str(buf, f) ?? "");
        putBytes(v, 0, v.length);
      } else putBytes(buf, scan.start[f]!, scan.end[f]!);
    } else if (t === T_NUMBER) {
      keyBuf[klen++] = 2;
      const x = scan.num[f]!;
      if (Number.isInteger(x) && x >= 0 && x < 1e9) {
        // small whole numbers (tiers, rounds): their digits, without making a string
        const from = klen;
        let y = x;
        do {
          keyBuf[klen++] = 48 + (y % 10);
          y = Math.floor(y / 10);
        } while (y > 0);
        keyBuf.subarray(from, klen).reverse();
      } else {
        const v = enc.encode(String(x));
        putBytes(v, 0, v.length);
      }
    } else keyBuf[klen++] = 3;
    keyBuf[klen++] = 0;
  };

  const epochOf = (buf: Buffer, tsText: () => string): number => {
    const s = scan.start[F.ts]!;
    if (scan.end[F.ts]! - s === 24 && buf[s + 23] === 90 && buf[s + 10] === 84) {
      const d = (k: number, n: number) => {
        let v = 0;
        for (let j = 0; j < n; j++) v = v * 10 + (buf[s + k + j]! - 48);
        return v;
      };
      return Date.UTC(d(0, 4), d(5, 2) - 1, d(8, 2), d(11, 2), d(14, 2), d(17, 2), d(20, 3));
    }
    return Date.parse(tsText());
  };

  const groupFor = (buf: Buffer, window: number, tsText: () => string): GroupAcc => {
    klen = 0;
    keyBuf[klen++] = window;
    for (const d of spec.by) {
      if (d === "hour" || d === "day") {
        const text = tsText();
        const v = enc.encode(d === "hour" ? text.slice(11, 13) : text.slice(0, 10));
        keyBuf[klen++] = 1;
        putBytes(v, 0, v.length);
        keyBuf[klen++] = 0;
      } else if (d === "bucket") {
        const b = spec.bucketMs ?? 3_600_000;
        const v = enc.encode(String(Math.floor(epochOf(buf, tsText) / b) * b));
        keyBuf[klen++] = 2;
        putBytes(v, 0, v.length);
        keyBuf[klen++] = 0;
      } else putField(buf, F[d]);
    }
    return table.getOrCreate(keyBuf, klen, () => newGroup(buf, window, tsText));
  };
  const newGroup = (buf: Buffer, window: number, tsText: () => string): GroupAcc => {
    const keys: GroupKeys = {};
    for (const d of spec.by) {
      if (d === "hour") keys.hour = tsText().slice(11, 13);
      else if (d === "day") keys.day = tsText().slice(0, 10);
      else if (d === "bucket") {
        const b = spec.bucketMs ?? 3_600_000;
        keys.bucket = new Date(Math.floor(epochOf(buf, tsText) / b) * b).toISOString();
      } else keys[d] = scan.type[F[d]] === T_STRING ? str(buf, F[d]) : scan.type[F[d]] === T_NUMBER ? scan.num[F[d]]! : null;
    }
    const acc = newGroupAcc(keys);
    out.groups.push({ window, acc });
    return acc;
  };

  // A round unseen for ROUND_AGE records is complete. One that began near the start of this piece may
  // have begun in the piece before, and one still open at the end may go on in the next: those go to
  // the caller, which joins them across pieces; the others are replayed here.
  const hasSlo = Object.keys(spec.sloByChain).length > 0;
  // records of a round sit together: remember the last run id, round and slot lookups instead of rebuilding them
  let lastRunId: Uint8Array = new Uint8Array(0);
  let lastRunIdText = "";
  let lastRound = -1;
  let lastRoundState: Round | undefined;
  const slotCache = createByteTable<string[] | undefined>();
  const slotsOf = (b: Buffer): string[] | undefined => {
    // key bytes: endpoint and model (policy) or chain and tier (learned), hashed without making strings
    klen = 0;
    if (spec.chains) {
      putField(b, F.endpoint);
      putField(b, F.model);
    } else {
      putField(b, F.chain);
      putField(b, F.tier);
    }
    return slotCache.getOrCreate(keyBuf, klen, () => {
      if (spec.chains) return targetSlots.get(`${str(b, F.endpoint) ?? ""}\u0000${str(b, F.model) ?? ""}`);
      const chain = str(b, F.chain);
      const tier = num(F.tier);
      return chain === null || tier === null ? undefined : [slotId(chain, tier)];
    });
  };
  const roundOf = (b: Buffer, round: number, window: number): Round => {
    const s = scan.start[F.run_id]!;
    const e = scan.end[F.run_id]!;
    if (round === lastRound && lastRoundState && bytesEqual(b, s, e, lastRunId) && !scan.esc[F.run_id]) return lastRoundState;
    if (!bytesEqual(b, s, e, lastRunId) || scan.esc[F.run_id]) {
      lastRunId = b.subarray(s, e).slice();
      lastRunIdText = str(b, F.run_id)!;
    }
    const key = `${lastRunIdText}#${round}`;
    let r = rounds.get(key);
    if (!r) rounds.set(key, (r = { window, firstSeen: seen, lastSeen: seen, results: new Map() }));
    lastRound = round;
    lastRoundState = r;
    return r;
  };

  // the current line's ts as text, made once and only when needed (one closure for every line)
  let tsCache: string | undefined;
  let tsBuf: Buffer = Buffer.alloc(0);
  const tsText = () => (tsCache ??= str(tsBuf, F.ts) ?? "");

  const flushRounds = (all: boolean) => {
    for (const [k, r] of rounds) {
      if (!all && seen - r.lastSeen < ROUND_AGE) continue;
      rounds.delete(k);
      if (r === lastRoundState) lastRoundState = undefined;
      if (all || r.firstSeen <= ROUND_AGE) {
        out.openRounds.push({ key: k, window: r.window, results: Object.fromEntries(r.results) });
        continue;
      }
      for (const { chain, served } of replayRound(r.results, chainShapes)) countChain(replayed, r.window, chain, served);
    }
  };

  return {
    measured,
    replayed,
    flushRounds,
    line(buf: Buffer, s: number, e: number, file: string, lineNo: number, lastOfFile: boolean) {
      // blank lines are not records
      let j = s;
      while (j < e && (buf[j] === 32 || buf[j] === 9 || buf[j] === 13)) j++;
      if (j === e) return;
      out.lines++;
      let b = buf;
      let bs = s;
      let be = e;
      if (!scanRecord(buf, s, e, scan)) {
        let value: unknown;
        try {
          value = JSON.parse(utf8(buf, s, e));
        } catch {
          if (lastOfFile) out.torn++;
          else bad(file, lineNo, "not valid JSON");
          return;
        }
        if (value === null || typeof value !== "object" || Array.isArray(value)) return bad(file, lineNo, "not a JSON object");
        b = Buffer.from(JSON.stringify(value));
        bs = 0;
        be = b.length;
        if (!scanRecord(b, bs, be, scan)) return bad(file, lineNo, "not a record tierwatch can read");
      }
      if (scan.type[F.v] !== 0 && scan.type[F.v] !== T_NUMBER) return bad(file, lineNo, "v (schema version) is not a number");
      if (scan.type[F.v] === T_NUMBER && scan.num[F.v]! > RECORD_VERSION) {
        out.newerVersion++;
        return bad(file, lineNo, `schema version ${scan.num[F.v]} is newer than this tierwatch reads (${RECORD_VERSION}); upgrade tierwatch`);
      }
      if (scan.type[F.ts] !== T_STRING) return bad(file, lineNo, "ts is missing or not a date");
      tsCache = undefined;
      tsBuf = b;
      const tsLen = scan.end[F.ts]! - scan.start[F.ts]!;
      const canonical = tsLen === 24 && b[scan.start[F.ts]! + 23] === 90 && b[scan.start[F.ts]! + 10] === 84 && !scan.esc[F.ts];
      if (!canonical && Number.isNaN(Date.parse(tsText()))) return bad(file, lineNo, "ts is missing or not a date");
      const status = statusOf(b);
      if (!status) return bad(file, lineNo, `status ${scan.type[F.status] === T_STRING ? JSON.stringify(str(b, F.status)) : "(missing)"} is not one tierwatch knows`);
      out.records++;
      seen++;

      // which window, if any
      let window = -1;
      for (let w = 0; w < windows.length; w++) {
        const win = windows[w]!;
        if (canonical) {
          if (win.sinceIso !== undefined && tsText() < win.sinceIso) continue;
          if (win.untilIso !== undefined && tsText() >= win.untilIso) continue;
        } else {
          const t = Date.parse(tsText());
          if (win.since !== undefined && t < win.since) continue;
          if (win.until !== undefined && t >= win.until) continue;
        }
        window = w;
        break;
      }
      if (window < 0) return;
      if (!passes(b, F.chain, filters.chain) || !passes(b, F.model, filters.model) || !passes(b, F.endpoint, filters.endpoint) || !passes(b, F.region, filters.region)) return;

      const isChain = isString(b, F.kind, CHAIN) || (scan.esc[F.kind] === 1 && str(b, F.kind) === "chain");
      if (isChain) {
        const chain = str(b, F.chain);
        if (chain === null) return;
        countChain(measured, window, chain, status === "ok" ? num(F.served_tier) : null);
        return;
      }
      const latency = num(F.latency_ms);
      const slo = hasSlo && scan.type[F.chain] === T_STRING ? spec.sloByChain[str(b, F.chain)!] : undefined;
      addAttempt(groupFor(b, window, tsText), status, latency, num(F.ttft_ms), slo, num(F.prompt_tokens), num(F.completion_tokens), num(F.cost_usd));

      // per-model probe rounds feed the chain replay
      if (scan.type[F.origin] !== 0 && !isString(b, F.origin, PROBE) && str(b, F.origin) !== "probe") return;
      const round = num(F.round);
      if (round === null || scan.type[F.run_id] !== T_STRING) return;
      const slots = slotsOf(b);
      if (!slots) return;
      const r = roundOf(b, round, window);
      r.lastSeen = seen;
      for (const slot of slots) {
        const limit = slotTimeout.get(slot) ?? Infinity;
        r.results.set(slot, status === "ok" && (latency === null || latency <= limit) ? (latency ?? 0) : -1);
      }
      if ((seen & 16383) === 0) flushRounds(false);
    },
  };
}

function finish(ctx: ReturnType<typeof createContext>, out: PartialSummary): PartialSummary {
  ctx.flushRounds(true);
  out.measured = [...ctx.measured.values()];
  out.replayed = [...ctx.replayed.values()];
  return out;
}

/** Counts one chain request of a window (measured or replayed) that tier `served` answered, null for none. */
export function countChain(into: Map<string, ChainCounts>, window: number, chain: string, served: number | null): void {
  const k = `${window}\u0000${chain}`;
  let c = into.get(k);
  if (!c) into.set(k, (c = { window, chain, ...newTally() }));
  tally(c, served);
}
