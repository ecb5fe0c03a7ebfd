import path from "node:path";
import { createChainSummary } from "../../analysis/summarizeChains.js";
import { noDataError } from "../../errors.js";
import { loadPolicy } from "../../policy/loadPolicy.js";
import type { Policy } from "../../model/policy.js";
import { accuracyView } from "../../render/accuracyView.js";
import { renderViews } from "../../render/renderView.js";
import type { View } from "../../render/view.js";
import { replayView } from "../../render/replayView.js";
import { replayChain } from "../../replay/replayChain.js";
import { type CliIo, tableWidth } from "../io.js";
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
  const candidate = (await loadPolicy(opts.candidate, { env: io.env, cwd: io.cwd, offline: true, option: "--candidate" })).policy;
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
    views.push(accuracyView(accuracy));
  }
  io.stdout.write(renderViews(views, opts.format === "markdown" ? "markdown" : "table", tableWidth(io)));
  return 0;
}
