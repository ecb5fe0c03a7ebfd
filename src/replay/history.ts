import { STATUSES, type Status } from "../model/status.js";
import type { AttemptRecord } from "../model/record.js";
import { roundKey, UNPLACED } from "../model/roundKey.js";
import { targetKey } from "../model/targetKey.js";

export const MISSING = 255;
const OK = STATUSES.indexOf("ok");

/** Probe rounds as columns: for each target (endpoint + model) and round, the status, latency and tokens. */
export interface History {
  /** targetKey(endpoint, model, headers id) */
  targets: string[];
  /** round start times (ms), ascending */
  ts: Float64Array;
  status: Uint8Array[];
  latency: Float64Array[];
  promptTokens: Float64Array[];
  completionTokens: Float64Array[];
  /** 1 where an ok answer came through the gateway's fallback (not from the tier's own target) */
  gateway: Uint8Array[];
  /** per target: who served its gateway-fallback answers ("model-b via config.targets[1]") and how often */
  servedElsewhere: Map<string, number>[];
}

/** A target's recorded rounds: how many it has, its ok answers' latencies, those within `timeoutMs`, and those a gateway served elsewhere. */
export function targetRounds(history: History, col: number, timeoutMs: number): { samples: number; okWithin: number; oks: number[]; viaGateway: number } {
  const out = { samples: 0, okWithin: 0, oks: [] as number[], viaGateway: 0 };
  if (col < 0) return out;
  for (let i = 0; i < history.ts.length; i++) {
    const st = history.status[col]![i]!;
    if (st === MISSING) continue;
    out.samples++;
    if (st !== OK) continue;
    const lat = history.latency[col]![i]!;
    out.viaGateway += history.gateway[col]![i]!;
    out.oks.push(lat);
    if (lat <= timeoutMs) out.okWithin++;
  }
  return out;
}

/** The status index that means ok (for fast comparisons). */
export const STATUS_OK = OK;

/** Collects per-model probe records into a History, by round (see roundKey); chain records are kept apart for accuracy checks. */
export function createHistoryBuilder() {
  const rounds = new Map<string, { ts: number; results: Map<string, AttemptRecord> }>();
  const chainRecords: AttemptRecord[] = [];
  let unplaced = 0;
  return {
    add(r: AttemptRecord): void {
      if (r.kind === "chain") {
        chainRecords.push(r);
        return;
      }
      const key = roundKey(r);
      if (key === UNPLACED) unplaced++;
      if (key === null || key === UNPLACED || !r.endpoint || !r.model) return;
      let round = rounds.get(key);
      if (!round) rounds.set(key, (round = { ts: Date.parse(r.ts), results: new Map() }));
      round.ts = Math.min(round.ts, Date.parse(r.ts));
      round.results.set(targetKey(r.endpoint, r.model, r.headers_id), r);
    },
    build(): { history: History; chainRecords: AttemptRecord[]; unplaced: number } {
      const ordered = [...rounds.values()].sort((a, b) => a.ts - b.ts);
      const targets = [...new Set(ordered.flatMap((r) => [...r.results.keys()]))].sort();
      const n = ordered.length;
      const h: History = {
        targets,
        ts: Float64Array.from(ordered.map((r) => r.ts)),
        status: targets.map(() => new Uint8Array(n).fill(MISSING)),
        latency: targets.map(() => new Float64Array(n)),
        promptTokens: targets.map(() => new Float64Array(n).fill(Number.NaN)),
        completionTokens: targets.map(() => new Float64Array(n).fill(Number.NaN)),
        gateway: targets.map(() => new Uint8Array(n)),
        servedElsewhere: targets.map(() => new Map()),
      };
      ordered.forEach((round, i) => {
        targets.forEach((t, k) => {
          const r = round.results.get(t);
          if (!r) return;
          h.status[k]![i] = STATUSES.indexOf(r.status as Status);
          h.latency[k]![i] = r.latency_ms ?? 0;
          if (typeof r.prompt_tokens === "number") h.promptTokens[k]![i] = r.prompt_tokens;
          if (typeof r.completion_tokens === "number") h.completionTokens[k]![i] = r.completion_tokens;
          if (r.status === "ok" && r.gateway_fallback === true) {
            h.gateway[k]![i] = 1;
            const who = [r.served_model, r.served_target && `via ${r.served_target}`].filter(Boolean).join(" ") || "another target";
            h.servedElsewhere[k]!.set(who, (h.servedElsewhere[k]!.get(who) ?? 0) + 1);
          }
        });
      });
      return { history: h, chainRecords, unplaced };
    },
  };
}
