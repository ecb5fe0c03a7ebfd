import path from "node:path";
import { createChainSummary } from "../../analysis/summarizeChains.js";
import { createGroupSummary, DIMENSIONS, type Dimension } from "../../analysis/summarizeGroups.js";
import { ExitCode, noDataError, usageError } from "../../errors.js";
import { chainView } from "../../render/chainView.js";
import { groupView } from "../../render/groupView.js";
import { renderViews } from "../../render/renderView.js";
import { expandInputs } from "../../store/expandInputs.js";
import type { AttemptRecord } from "../../store/record.js";
import { readRecords, type ReadSummary } from "../../store/readRecords.js";
import { parseDuration } from "../../util/duration.js";
import { parseTime } from "../../util/parseTime.js";
import type { CliIo } from "../io.js";
import { loadOptionalPolicy } from "../loadOptionalPolicy.js";

export interface ReportOptions {
  policy?: string;
  dataDir?: string;
  since?: string;
  until?: string;
  chain?: string[];
  model?: string[];
  endpoint?: string[];
  region?: string[];
  by: string;
  bucket?: string;
  format: "table" | "json" | "csv" | "markdown";
  strict?: boolean;
}

/** `tierwatch report`: per-group success, latency and failures, and per-chain fallback, streamed from the store. */
export async function reportCommand(paths: string[], opts: ReportOptions, io: CliIo, now = Date.now()): Promise<number> {
  const by = parseBy(opts.by, opts.bucket !== undefined);
  const bucketMs = opts.bucket ? parseDuration(opts.bucket, "--bucket") : undefined;
  const loaded = await loadOptionalPolicy(opts.policy, io);
  const policy = loaded?.policy;
  const inputs = paths.length > 0 ? paths : [opts.dataDir ?? policy?.store.dir ?? "tierwatch-data"];
  const files = await expandInputs(inputs, io.cwd);
  const since = opts.since ? parseTime(opts.since, now, "--since") : undefined;
  const until = opts.until ? parseTime(opts.until, now, "--until") : undefined;
  if (since !== undefined && until !== undefined && since >= until) throw usageError("--since must be before --until");

  const sloByChain = new Map(Object.values(policy?.chains ?? {}).map((c) => [c.name, c.slo.p95Ms]));
  const groups = createGroupSummary(by, { bucketMs, latencySloMs: (r) => (r.chain ? sloByChain.get(r.chain) : undefined) });
  const chains = createChainSummary(policy);
  const keep = recordFilter(opts, since, until);
  let inWindow = 0;
  const read = await readRecords(files, (r) => {
    if (!keep(r)) return;
    inWindow++;
    groups.add(r);
    chains.add(r);
  });
  const window = {
    since: since === undefined ? null : new Date(since).toISOString(),
    until: until === undefined ? null : new Date(until).toISOString(),
  };
  reportBadLines(io, read);
  if (inWindow === 0) {
    throw noDataError(
      `no records in the window${window.since ? ` since ${window.since}` : ""}${window.until ? ` until ${window.until}` : ""} in ${files.length} file(s); widen --since or check the filters`,
    );
  }
  const groupRows = groups.rows();
  const chainRows = chains.rows();
  if (opts.format === "json") {
    const doc = {
      window,
      inputs: files,
      records: inWindow,
      groups: groupRows.map(({ keys, ...rest }) => ({ ...keys, ...rest })),
      chains: chainRows,
      bad_lines: { count: read.badCount, first: read.bad.map((b) => ({ ...b, file: path.relative(io.cwd, b.file) || b.file })) },
    };
    io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    const title = `${inWindow} record(s) from ${files.length} file(s)${window.since ? `, since ${window.since}` : ""}${window.until ? ` until ${window.until}` : ""}`;
    const views = [groupView(groupRows, by, title)];
    if (chainRows.length > 0) views.push(chainView(chainRows));
    io.stdout.write(renderViews(views, opts.format));
  }
  return opts.strict && read.badCount > 0 ? ExitCode.checkFailed : ExitCode.ok;
}

function parseBy(text: string, withBucket: boolean): Dimension[] {
  const dims = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const d of dims) {
    if (!(DIMENSIONS as readonly string[]).includes(d)) {
      throw usageError(`--by: unknown dimension "${d}"; choose from ${DIMENSIONS.filter((x) => x !== "bucket").join(", ")}`);
    }
  }
  const out = dims as Dimension[];
  return withBucket && !out.includes("bucket") ? ["bucket", ...out] : out;
}

function recordFilter(opts: ReportOptions, since: number | undefined, until: number | undefined): (r: AttemptRecord) => boolean {
  const sets = {
    chain: opts.chain?.length ? new Set(opts.chain) : undefined,
    model: opts.model?.length ? new Set(opts.model) : undefined,
    endpoint: opts.endpoint?.length ? new Set(opts.endpoint) : undefined,
    region: opts.region?.length ? new Set(opts.region) : undefined,
  };
  return (r) => {
    if (since !== undefined || until !== undefined) {
      const t = Date.parse(r.ts);
      if (since !== undefined && t < since) return false;
      if (until !== undefined && t >= until) return false;
    }
    if (sets.chain && !sets.chain.has(r.chain ?? "")) return false;
    if (sets.model && !sets.model.has(r.model ?? "")) return false;
    if (sets.endpoint && !sets.endpoint.has(r.endpoint ?? "")) return false;
    if (sets.region && !sets.region.has(r.region ?? "")) return false;
    return true;
  };
}

function reportBadLines(io: CliIo, read: ReadSummary): void {
  if (read.badCount > 0) {
    io.stderr.write(`${read.badCount} bad line(s) skipped${read.bad.length < read.badCount ? `; the first ${read.bad.length}` : ""}:\n`);
    for (const b of read.bad) io.stderr.write(`  ${path.relative(io.cwd, b.file) || b.file}:${b.line}: ${b.reason}\n`);
  }
  if (read.torn > 0) io.stderr.write(`${read.torn} unfinished last line(s) skipped (a writer was still writing or was stopped)\n`);
}
