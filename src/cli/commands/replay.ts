import path from "node:path";
import { createChainSummary } from "../../analysis/summarizeChains.js";
import { noDataError } from "../../errors.js";
import { loadPolicy } from "../../policy/loadPolicy.js";
import type { Policy } from "../../policy/types.js";
import { fmt } from "../../render/fmt.js";
import { renderViews } from "../../render/renderView.js";
import type { View } from "../../render/view.js";
import { replayChain, type ReplayResult } from "../../replay/replayChain.js";
import type { CliIo } from "../io.js";
import { loadHistory } from "../loadHistory.js";

export interface ReplayOptions {
  policy?: string;
  candidate: string;
  dataDir?: string;
  since?: string;
  until?: string;
  format: "table" | "json" | "markdown";
}

/** `tierwatch replay`: the current policy and a candidate replayed over the same recorded rounds, side by side. */
export async function replayCommand(paths: string[], opts: ReplayOptions, io: CliIo): Promise<number> {
  const current = (await loadPolicy(opts.policy, { env: io.env, cwd: io.cwd, offline: true })).policy;
  const candidate = (await loadPolicy(opts.candidate, { env: io.env, cwd: io.cwd, offline: true })).policy;
  const inputs = paths.length > 0 ? paths : [opts.dataDir ? path.resolve(io.cwd, opts.dataDir) : current.store.dir];
  const { history, chainRecords } = await loadHistory(inputs, opts, io);
  if (history.ts.length === 0) throw noDataError("no probe rounds in the window: replay needs per-model probe records (tierwatch probe)");
  const run = (p: Policy) => Object.values(p.chains).map((c) => replayChain(history, c));
  const cur = run(current);
  const cand = run(candidate);
  // how close replay of the current policy comes to what chain runs measured in the same window
  const measured = createChainSummary(current);
  for (const r of chainRecords) measured.add(r);
  const accuracy = measured
    .rows()
    .filter((m) => m.source === "chain_records")
    .flatMap((m) => {
      const r = cur.find((c) => c.chain === m.chain);
      if (!r) return [];
      return [{ chain: m.chain, chain_runs: m.requests, measured_fallback: m.fallback_activation_rate, replayed_fallback: r.fallback_activation_rate, measured_success: m.requests ? m.served / m.requests : null, replayed_success: r.success_rate }];
    });
  if (opts.format === "json") {
    io.stdout.write(`${JSON.stringify({ rounds: history.ts.length, current: { source: current.source, chains: cur }, candidate: { source: candidate.source, chains: cand }, accuracy }, null, 2)}\n`);
    return 0;
  }
  const views: View[] = [replayView([...cur.map((r) => ({ ...r, policy: "current" })), ...cand.map((r) => ({ ...r, policy: "candidate" }))], `Replay over ${history.ts.length} recorded round(s)`)];
  if (accuracy.length > 0) {
    views.push({
      title: "Replay accuracy: the current policy replayed, against its chain runs in the same window",
      columns: [
        { key: "chain", header: "chain" },
        { key: "chain_runs", header: "chain runs", align: "right" },
        { key: "measured_fallback", header: "fallback measured", align: "right", format: fmt.pct },
        { key: "replayed_fallback", header: "replayed", align: "right", format: fmt.pct },
        { key: "measured_success", header: "success measured", align: "right", format: fmt.pct },
        { key: "replayed_success", header: "replayed", align: "right", format: fmt.pct },
      ],
      rows: accuracy,
    });
  }
  io.stdout.write(renderViews(views, opts.format === "markdown" ? "markdown" : "table"));
  return 0;
}

/** Replay results as rows: success, fallback, exhaustion, latency and cost. */
export function replayView(rows: (ReplayResult & { policy: string })[], title: string): View {
  return {
    title,
    columns: [
      { key: "policy", header: "policy" },
      { key: "chain", header: "chain" },
      { key: "requests", header: "rounds", align: "right" },
      { key: "success_rate", header: "success", align: "right", format: fmt.pct },
      { key: "fallback_activation_rate", header: "fallback", align: "right", format: fmt.pct },
      { key: "exhaustion_rate", header: "exhausted", align: "right", format: fmt.pct },
      { key: "p50_ms", header: "p50", align: "right", format: fmt.ms },
      { key: "p95_ms", header: "p95", align: "right", format: fmt.ms },
      { key: "p99_ms", header: "p99", align: "right", format: fmt.ms },
      { key: "cost_per_1k", header: "cost/1k", align: "right", format: fmt.usd },
    ],
    rows: rows.map((r) => ({ ...r })),
    notes: ["replay: a tier fails when not ok or slower than its timeout; retries fare as the same model did in the next round"],
  };
}
