import { DIMENSIONS, type Dimension } from "../../analysis/groupAcc.js";
import { summarizeFiles } from "../../analysis/summarizeFiles.js";
import { policyChains, policySlos, type SummarySpec } from "../../analysis/summarizeRange.js";
import { rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { ExitCode, ioError, noDataError, usageError } from "../../errors.js";
import { expandInputs } from "../../store/expandInputs.js";
import { readNotes } from "../../store/readNotes.js";
import { roundForOutput } from "../../render/outputNumbers.js";
import { shownInput, STDIN } from "../../store/stdin.js";
import { poolRows, type PoolRow } from "../../analysis/poolRows.js";
import { wrapText } from "../../util/wrapText.js";
import { parseDuration } from "../../util/duration.js";
import { parseTime } from "../../util/parseTime.js";
import { type CliIo, tableWidth } from "../io.js";
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
  format: "table" | "json" | "csv" | "markdown" | "html";
  /** write the output to this file instead of stdout */
  output?: string;
  strict?: boolean;
  compare?: boolean;
  /** threads that read the input (default: one per core for large inputs) */
  threads?: number;
}

/** `tierwatch report`: per-group success, latency and failures, and per-chain fallback, streamed from the store. */
export async function reportCommand(paths: string[], opts: ReportOptions, io: CliIo, now = Date.now()): Promise<number> {
  let by = parseBy(opts.by, opts.bucket !== undefined);
  const bucketMs = opts.bucket ? parseDuration(opts.bucket, "--bucket") : undefined;
  const loaded = await loadOptionalPolicy(opts.policy, io);
  const policy = loaded?.policy;
  const inputs = paths.length > 0 ? paths : [opts.dataDir ?? policy?.store.dir ?? "tierwatch-data"];
  const files = await expandInputs(inputs, io.cwd);
  if (opts.format === "html") {
    const pipe = await firstNotFile(files);
    if (pipe !== undefined) throw usageError(`--format html reads its inputs more than once; ${pipe === STDIN ? "standard input" : pipe} is not a file: save it to a file first`);
  }
  const since = opts.since ? parseTime(opts.since, now, "--since") : undefined;
  const until = opts.until ? parseTime(opts.until, now, "--until") : undefined;
  if (since !== undefined && until !== undefined && since >= until) throw usageError("--since must be before --until");

  if (opts.compare && since === undefined) throw usageError("--compare needs --since: it compares the window with the one of the same length before it");
  const windowEnd = until ?? now;
  const windows = [{ since, until }];
  if (opts.compare && since !== undefined) windows.push({ since: since - (windowEnd - since), until: since });
  // plain and streamed probes are different experiments: grouped apart whenever the window holds both
  const autoStream = !by.includes("stream");
  const spec: SummarySpec = {
    by: autoStream ? [...by, "stream"] : by,
    bucketMs,
    windows,
    filters: { chain: opts.chain, model: opts.model, endpoint: opts.endpoint, region: opts.region },
    sloByChain: policySlos(policy),
    chains: policy ? policyChains(policy) : null,
  };
  const { windows: results, read } = await summarizeFiles(files, spec, { threads: opts.threads });
  if (autoStream) {
    // a record without the field counts as plain, so one pass always does
    const seen = new Set(results.flatMap((w) => w.groups.map((g) => g.keys.stream)));
    if (seen.has(true) && seen.has(false)) by = spec.by;
    else for (const w of results) for (const g of w.groups) delete g.keys.stream;
  }
  const current = results[0]!;
  const previous = results[1];
  // pool tiers as their users see them: one more pass, grouped by member (files only: a pipe is read once)
  const hasPools = policy !== undefined && Object.values(policy.chains).some((c) => c.tiers.some((t) => t.members.length > 1));
  let pools: PoolRow[] = [];
  if (hasPools && policy && current.records > 0) {
    if ((await firstNotFile(files)) === undefined) {
      const byMember = await summarizeFiles(files, { ...spec, by: ["endpoint", "model"], windows: [spec.windows[0]!] }, { threads: opts.threads, keepAccs: true });
      pools = poolRows(policy, byMember.windows[0]!.accs ?? []);
    } else io.stderr.write("tierwatch: pool tiers' figures need a second read of the input: pass files, not a pipe, to see them\n");
  }
  const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
  const window = { since: iso(since), until: iso(until) };
  io.stderr.write(readNotes(read, io.cwd));
  if (!policy && current.chains.some((c) => c.source === "replay")) {
    io.stderr.write(`${wrapText("tierwatch: chains replayed as the records name them (no policy): a model probed once for several chains counts in the first only; --policy replays the chains as configured", tableWidth(io))}\n`);
  }
  const empty = current.records === 0;
  // an empty window is exit 4; JSON and CSV still print their (empty) document, so `| jq` and a CSV
  // reader get one; a table has nothing to show
  const noRecords = () =>
    noDataError(`no records in the window${window.since ? ` since ${window.since}` : ""}${window.until ? ` until ${window.until}` : ""} in ${files.length} file(s); widen --since or check the filters`);
  if (empty && opts.format !== "json" && opts.format !== "csv") throw noRecords();
  let out = "";
  // what only some outputs need is loaded when they are asked for (a JSON report loads no table renderer)
  const compared = previous ? (await import("../../analysis/compareGroups.js")).compareGroups(current.groups, previous.groups, by) : undefined;
  const document = () => ({
      window,
      ...(previous ? { previous_window: { since: iso(windows[1]!.since), until: iso(windows[1]!.until) } } : {}),
      inputs: files,
      records: current.records,
      groups: current.groups.map(({ keys, ...rest }, i) => ({ ...keys, ...rest, ...(compared ? { compare: compared[i] } : {}) })),
      chains: current.chains,
      ...(hasPools ? { pools } : {}),
      ...(previous ? { previous_chains: previous.chains } : {}),
      bad_lines: { count: read.badCount, first: read.bad.map((b) => ({ ...b, file: shownInput(b.file, io.cwd) })) },
      // gzip files that ended before their compressed stream did (read up to there)
      cut_short: read.cutShort.map((file) => shownInput(file, io.cwd)),
      // per-model probe records the chain replay could not place in a round (no run_id)
      unplaced_records: read.unplaced ?? 0,
    });
  if (opts.format === "json") {
    out = `${JSON.stringify(roundForOutput(document()), null, 2)}\n`;
  } else {
    const title = `${current.records} record(s) from ${files.length} file(s)${window.since ? `, since ${window.since}` : ""}${window.until ? ` until ${window.until}` : ""}`;
    const [{ compareView }, { chainView }, { groupView }, { renderViews }] = await Promise.all([
      import("../../render/compareView.js"),
      import("../../render/chainView.js"),
      import("../../render/groupView.js"),
      import("../../render/renderView.js"),
    ]);
    // the HTML page shows the numbers as JSON prints them
    const rounded = opts.format === "html" ? roundForOutput({ c: current, p: previous, x: compared }) : { c: current, p: previous, x: compared };
    const views = [rounded.x ? compareView(rounded.c.groups, rounded.x, by, title) : groupView(rounded.c.groups, by, title)];
    if (rounded.c.chains.length > 0) views.push(chainView(rounded.c.chains));
    if (pools.length > 0) views.push((await import("../../render/poolView.js")).poolView(roundForOutput(pools)));
    if (rounded.p && rounded.p.chains.length > 0) views.push(chainView(rounded.p.chains, "Chains, previous window"));
    if (opts.format === "html") {
      const { htmlPage } = await import("./reportHtml.js");
      out = await htmlPage({ files, spec: { ...spec, by }, doc: roundForOutput(document()), views, threads: opts.threads, now, since, until });
    } else out = renderViews(views, opts.format, tableWidth(io));
  }
  if (opts.output) await writeOutput(opts.output, io.cwd, out);
  else io.stdout.write(out);
  if (empty) throw noRecords();
  return opts.strict && read.badCount > 0 ? ExitCode.checkFailed : ExitCode.ok;
}

/** The first input that is not a regular file (standard input, a pipe: read once, never again), if any. */
async function firstNotFile(files: readonly string[]): Promise<string | undefined> {
  for (const f of files) if (f === STDIN || !(await stat(f).catch(() => undefined))?.isFile()) return f;
  return undefined;
}

/** Writes a report to a file (--output), whole or not at all. */
async function writeOutput(file: string, cwd: string, text: string): Promise<void> {
  const target = path.resolve(cwd, file);
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw ioError(`--output ${file}: cannot write it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check that its folder exists and is writable`);
  }
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

