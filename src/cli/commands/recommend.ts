import { readFile, writeFile } from "node:fs/promises";
import { keepUnchangedLines } from "../../util/keepUnchangedLines.js";
import { wrapText } from "../../util/wrapText.js";
import path from "node:path";
import { isMap, isSeq, parseDocument, type YAMLMap } from "yaml";
import { ioError, noDataError, usageError } from "../../errors.js";
import { loadPolicy } from "../../policy/loadPolicy.js";
import type { Policy } from "../../model/policy.js";
import { renderViews } from "../../render/renderView.js";
import { recommend, type ChainRecommendation, type Objective } from "../../replay/recommend.js";
import { createTwoFilesPatch } from "diff";
import { type CliIo, tableWidth } from "../io.js";
import { loadHistory } from "../loadHistory.js";
import { replayView } from "../../render/replayView.js";

export interface RecommendOptions {
  policy?: string;
  dataDir?: string;
  since?: string;
  until?: string;
  optimize: string;
  minRounds: number;
  assumeEqualQuality?: boolean;
  write?: boolean;
  format: "table" | "json" | "markdown";
}

/** `tierwatch recommend`: tier order and timeouts proposed with replayed evidence, or a reasoned "keep". */
export async function recommendCommand(paths: string[], opts: RecommendOptions, io: CliIo): Promise<number> {
  const optimize = opts.optimize.split(",").map((s) => s.trim()) as Objective[];
  for (const o of optimize) if (!["success", "p95", "cost"].includes(o)) throw usageError(`--optimize: unknown objective "${o}"; use success, p95, cost in the order that matters`);
  const loaded = await loadPolicy(opts.policy, { env: io.env, cwd: io.cwd, offline: true });
  const inputs = paths.length > 0 ? paths : [opts.dataDir ? path.resolve(io.cwd, opts.dataDir) : loaded.policy.store.dir];
  const { history } = await loadHistory(inputs, opts, io);
  if (history.ts.length === 0) throw noDataError("no probe rounds in the window: recommendations need per-model probe records (tierwatch probe)");
  const recs = recommend(history, loaded.policy, { optimize, minRounds: opts.minRounds, assumeEqualQuality: opts.assumeEqualQuality === true });
  if (opts.format === "json") io.stdout.write(`${JSON.stringify({ rounds: history.ts.length, optimize, chains: recs }, null, 2)}\n`);
  else io.stdout.write(renderRecommendations(recs, opts.format, tableWidth(io)));
  if (opts.write) {
    const changes = recs.filter((r) => r.verdict === "change");
    if (changes.length === 0) io.stderr.write("nothing to write: every chain keeps its policy\n");
    else await writeProposal(loaded.policy, changes, io);
  }
  return 0;
}

function renderRecommendations(recs: ChainRecommendation[], format: "table" | "markdown", width: number | undefined): string {
  const out: string[] = [];
  for (const r of recs) {
    const head = r.verdict === "change" ? `Chain ${r.chain}: change` : r.verdict === "keep" ? `Chain ${r.chain}: keep the policy` : `Chain ${r.chain}: not enough evidence`;
    out.push(format === "markdown" ? `### ${head}\n` : `${head}`);
    // prose wraps to the terminal with a hanging indent (Markdown keeps its lines: a renderer wraps them)
    const prose = (line: string) => (format === "markdown" ? line : wrapText(line, width, 4));
    out.push(prose(`  why: ${r.reason}`));
    for (const n of r.verdict === "change" ? r.notes : []) out.push(prose(`  - ${n}`));
    for (const f of r.flags) out.push(prose(`  ! ${f}`));
    out.push("");
    const rows = [{ ...r.current, policy: "now" }, ...(r.proposed ? [{ ...r.proposed, policy: r.verdict === "change" ? "proposed" : "best tried" }] : [])];
    out.push(renderViews([replayView(rows, `Replayed over the recorded rounds`)], format === "markdown" ? "markdown" : "table", width));
  }
  return `${out.join("\n")}\n`;
}

// Rewrites the policy with the yaml document API, so comments and layout survive; prints the diff.
async function writeProposal(policy: Policy, changes: ChainRecommendation[], io: CliIo): Promise<void> {
  const file = policy.source;
  if (!/\.ya?ml$/.test(file)) throw usageError(`--write edits YAML policies; ${file} is not one`);
  const before = await readFile(file, "utf8");
  const doc = parseDocument(before);
  for (const c of changes) {
    const seq = doc.getIn(["chains", c.chain, "tiers"], true);
    if (!isSeq(seq)) throw usageError(`${file}: chains.${c.chain}.tiers is not a list`);
    // yaml keeps a comment above the first item on the list itself: give it back to that item so it moves with it
    if (seq.commentBefore && isMap(seq.items[0]) && !(seq.items[0] as YAMLMap).commentBefore) {
      (seq.items[0] as YAMLMap).commentBefore = seq.commentBefore;
      seq.commentBefore = undefined;
    }
    const items = [...seq.items] as YAMLMap[];
    const current = policy.chains[c.chain]!.tiers;
    // one retry count for every tier is written once, on the chain
    const attempts = new Set(c.proposal!.map((p) => p.max_attempts));
    const chainWide = attempts.size === 1 && current.some((t) => t.retry.maxAttempts !== c.proposal![0]!.max_attempts);
    if (chainWide) doc.setIn(["chains", c.chain, "retry", "max_attempts"], c.proposal![0]!.max_attempts);
    const ordered = c.proposal!.map((p) => {
      // a plain tier by its model and endpoint; a pool by its first member's
      const lead = (it: YAMLMap) => {
        const members = it.get("members", true);
        return isSeq(members) && isMap(members.items[0]) ? (members.items[0] as YAMLMap) : it;
      };
      const item = items.find((it) => isMap(it) && lead(it).get("model") === p.model && (lead(it).get("endpoint") ?? p.endpoint) === p.endpoint);
      if (!item) throw usageError(`${file}: cannot find tier ${p.model} in chains.${c.chain}.tiers`);
      if (item.get("timeout_ms") !== p.timeout_ms) item.set("timeout_ms", p.timeout_ms);
      const was = current.find((t) => t.model === p.model && t.endpoint === p.endpoint);
      if (was && !chainWide && was.retry.maxAttempts !== p.max_attempts) item.setIn(["retry", "max_attempts"], p.max_attempts);
      if (was && was.breaker.failureThreshold !== p.failure_threshold) item.setIn(["breaker", "failure_threshold"], p.failure_threshold);
      if (was && was.breaker.cooldownMs !== p.cooldown_ms) item.setIn(["breaker", "cooldown_ms"], p.cooldown_ms);
      const members = item.get("members", true);
      if (p.weights && isSeq(members)) {
        for (const m of members.items) {
          if (!isMap(m)) continue;
          const name = `${(m as YAMLMap).get("endpoint") ?? p.endpoint}/${(m as YAMLMap).get("model")}`;
          const w = p.weights[name];
          if (w !== undefined && ((m as YAMLMap).get("weight") ?? 1) !== w) (m as YAMLMap).set("weight", w);
        }
      }
      return item;
    });
    seq.items = ordered;
  }
  // the serializer re-spaces what it did not change (a comment's gap): those lines keep their bytes,
  // unless that would change what the file says
  const written = doc.toString();
  const kept = keepUnchangedLines(before, written);
  const after = JSON.stringify(parseDocument(kept).toJS()) === JSON.stringify(doc.toJS()) ? kept : written;
  try {
    await writeFile(file, after);
  } catch (err) {
    throw ioError(`cannot write ${file}: ${(err as Error).message}`, err);
  }
  // a unified diff, as every diff reader expects it: removed lines before added ones, two lines of context
  const name = path.relative(io.cwd, file) || file;
  const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 2 });
  io.stderr.write(`wrote ${file}:\n${patch.split("\n").slice(1).join("\n")}`);
}
