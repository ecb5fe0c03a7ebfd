import { Command, CommanderError, Option } from "commander";
import { ExitCode, TierwatchError } from "../errors.js";
import { processIo, tableWidth, type CliIo } from "./io.js";
import { wrapText } from "../util/wrapText.js";
import { oneOf, port, positiveInt } from "./parseOptions.js";
import { printProblems } from "./printProblems.js";
import { shownInput } from "../store/stdin.js";
import { LABELS, METRIC_DEFINITIONS, METRICS } from "../model/metrics.js";

const EXIT_HELP =
  "Exit codes: 0 done · 1 a check failed (--strict, a gate threshold) · 2 usage or policy error, nothing sent · " +
  "3 a file or directory could not be read or written · 4 no data in the window, too few samples · " +
  "5 another monitor holds the data directory · 70 internal error";

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(",").map((s) => s.trim()).filter(Boolean)];

/** Builds the command tree; each action resolves to an exit code. */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  // help fits the terminal (or COLUMNS; 80 in a pipe, as commander's own): footers wrap with a hanging indent
  const helpWidth = tableWidth(io) ?? 80;
  const footer = (text: string, hang: number | string = 2) => () => `\n${wrapText(text, helpWidth, hang)}`;
  // one entry per metric, its definition wrapped under itself
  const METRICS_HELP = () => `\nMetrics:\n${METRIC_DEFINITIONS.map((m) => wrapText(`  ${m.name.padEnd(25)} ${m.text}`, helpWidth, " ".repeat(28))).join("\n")}`;
  // each command's module is loaded when it runs: `report` or `gate` never load the HTTP client or the spinner
  const program = new Command("tierwatch")
    .description("Probe, record and analyse LLM fallback tiers behind one OpenAI-compatible gateway")
    .version("0.1.0")
    .showSuggestionAfterError(true)
    .configureHelp({ helpWidth })
    .addHelpText("after", footer(EXIT_HELP, 12))
    // one error style: the parser's own messages read as tierwatch's do ("tierwatch: ...", not "error: ...")
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: (s, write) => write(s.replace(/^error: /, "tierwatch: ")) })
    .exitOverride();

  const format = (names: readonly string[], fallback: string) =>
    new Option("--format <format>", `output: ${names.join(", ")}`).argParser(oneOf(names)).default(fallback);

  program
    .command("init")
    .description("write a commented starter policy (and its JSON Schema) to edit")
    .option("--file <path>", "where to write it", "tierwatch.yaml")
    .option("--force", "overwrite an existing file")
    .action(async (opts) => setExit(await (await import("./commands/init.js")).initCommand(opts, io)));

  program
    .command("validate")
    .description("check a policy: every problem with its path, and the production checklist as warnings")
    .option("--policy <file>", "policy file (default ./tierwatch.yaml)")
    .option("--strict", "exit 1 when there are warnings")
    .option("--offline", "do not require the endpoints' environment variables")
    .addOption(format(["table", "json"], "table"))
    .action(async (opts) => setExit(await (await import("./commands/validate.js")).validateCommand(opts, io)));

  program
    .command("schema")
    .description("print the policy's JSON Schema (for editors)")
    .action(async () => setExit(await (await import("./commands/schema.js")).schemaCommand(io)));

  program
    .command("probe")
    .description("probe every (endpoint, model) of the policy and append one record per attempt")
    .option("--policy <file>", "policy file (default ./tierwatch.yaml, or FB_OPENAI_BASE_URL alone)")
    .option("--rounds <n>", "how many rounds", positiveInt, 1)
    .option("--interval <duration>", "time between round starts, e.g. 30s")
    .option("--data-dir <dir>", "where records go (default: the policy's store.dir)")
    .option("--concurrency <k>", "requests in flight at once", positiveInt)
    .option("--stream", "probe with streaming (overrides probe.stream)")
    .option("--no-stream", "probe without streaming")
    .option("--chain <name>", "also run this chain through the fallback engine each round (repeatable)", collect)
    .option("--chains", "also run every chain through the fallback engine each round")
    .option("--no-models", "skip the per-model probes (with --chain: chain runs only)")
    .option("--model <name>", "per-model probes of this model only (repeatable)", collect)
    .option("--no-warmup", "do not open connections before each round")
    .option("--every <duration>", "keep probing: a round every 1m (on aligned ticks) until SIGINT/SIGTERM")
    .option("--lock", "take the data directory's monitor lock (for cron: exit 5 while another monitor runs)")
    .option("--dry-run", "send nothing, write nothing: print what each round would probe and what each alert rule would evaluate")
    .option("--metrics-listen <host:port>", "with --every: serve Prometheus metrics (OpenMetrics) at http://host:port/metrics")
    .addOption(format(["table", "json"], "table"))
    .addHelpText("after", footer("Probe exits 0 when its rounds ran, whatever the models answered: failures are data.\nExit 5: another monitor holds the data directory's lock."))
    .action(async (opts, cmd: Command) => setExit(await (await import("./commands/probe.js")).probeCommand({ ...opts, roundsGiven: cmd.getOptionValueSource("rounds") === "cli" }, io)));

  program
    .command("report")
    .description("success rate, latency and fallback per model, tier, chain and region")
    .argument("[paths...]", "record files (.jsonl, .jsonl.gz), directories or globs; - for standard input (default: the policy's data directory)")
    .option("--policy <file>", "policy file, for tier timeouts and SLOs (default ./tierwatch.yaml if present)")
    .option("--data-dir <dir>", "data directory to read")
    .option("--since <when>", "start of the window: a duration back (7d, 12h) or an ISO date")
    .option("--until <when>", "end of the window (exclusive), ISO date or duration back")
    .option("--chain <name>", "only this chain (repeatable)", collect)
    .option("--model <name>", "only this model (repeatable)", collect)
    .option("--endpoint <name>", "only this endpoint (repeatable)", collect)
    .option("--region <name>", "only this region (repeatable)", collect)
    .option("--by <dims>", "group by model, tier, chain, endpoint, region, served_model, served_target, stream, hour, day", "chain,tier,model")
    .option("--bucket <duration>", "a time series with buckets of this size (1h, 1d)")
    .option("--output <file>", "write the report to this file instead of standard output (e.g. report.html)")
    .option("--compare", "put the previous window of the same length beside this one (needs --since)")
    .option("--strict", "exit 1 when any line could not be read")
    .option("--threads <n>", "threads that read the input (default: one per core from 32 MB of input)", positiveInt)
    .addOption(format(["table", "json", "csv", "markdown", "html"], "table"))
    .addHelpText("after", METRICS_HELP)
    .action(async (paths, opts) => setExit(await (await import("./commands/report.js")).reportCommand(paths, opts, io)));

  program
    .command("serve")
    .description("answer Prometheus scrapes: /probe?chain=NAME runs one round and returns its metrics (the blackbox-exporter pattern); /metrics the totals")
    .requiredOption("--listen <host:port>", "where to listen, e.g. 127.0.0.1:9464")
    .option("--policy <file>", "policy file (default ./tierwatch.yaml)")
    .option("--data-dir <dir>", "where the rounds' records go (default: the policy's store.dir)")
    .option("--stream", "probe with streaming (overrides probe.stream)")
    .action(async (opts) => setExit(await (await import("./commands/serve.js")).serveCommand(opts, io)));

  program
    .command("replay")
    .description("what-if: replay the current policy and a candidate over recorded probe rounds, side by side")
    .argument("[paths...]", "record files (.jsonl, .jsonl.gz), directories or globs; - for standard input (default: the policy's data directory)")
    .requiredOption("--candidate <file>", "the policy to compare")
    .option("--policy <file>", "the current policy (default ./tierwatch.yaml)")
    .option("--data-dir <dir>", "data directory to read")
    .option("--since <when>", "start of the window (7d, ISO date)")
    .option("--until <when>", "end of the window")
    .addOption(format(["table", "json", "markdown"], "table"))
    .action(async (paths, opts) => setExit(await (await import("./commands/replay.js")).replayCommand(paths, opts, io)));

  program
    .command("recommend")
    .description("propose tier order and timeouts, with replayed evidence, or say why to keep the policy")
    .argument("[paths...]", "record files (.jsonl, .jsonl.gz), directories or globs; - for standard input (default: the policy's data directory)")
    .option("--policy <file>", "policy file (default ./tierwatch.yaml)")
    .option("--data-dir <dir>", "data directory to read")
    .option("--since <when>", "start of the window (7d, ISO date)")
    .option("--until <when>", "end of the window")
    .option("--optimize <order>", "what matters, in order: success, p95, cost", "success,p95,cost")
    .option("--min-rounds <n>", "fewer recorded rounds than this: not enough evidence", positiveInt, 100)
    .option("--assume-equal-quality", "let a tier without a declared quality be moved above one listed before it")
    .option("--write", "rewrite the policy file with the proposal (comments kept) and print the diff")
    .addOption(format(["table", "json", "markdown"], "table"))
    .action(async (paths, opts) => setExit(await (await import("./commands/recommend.js")).recommendCommand(paths, opts, io)));

  program
    .command("gate")
    .description("judge fresh probe rounds or recorded history against thresholds: a CI gate")
    .option("--policy <file>", "policy file (default ./tierwatch.yaml)")
    .option("--rounds <n>", "run this many fresh rounds, per-model and chains (default 10)", positiveInt)
    .option("--from <paths...>", "judge recorded history instead: files (.jsonl, .jsonl.gz), directories or globs; - for standard input")
    .option("--since <when>", "with --from: start of the window (7d, ISO date)")
    .option("--until <when>", "with --from: end of the window")
    .option("--threshold <expr>", "e.g. 'success_rate{tier=1} >= 0.99' (repeatable; default: the policy's SLOs)", (v: string, prev: string[] = []) => [...prev, v])
    .option("--min-samples <n>", "fewer samples than this cannot be judged (exit 4)", positiveInt, 10)
    .option("--junit <file>", "write JUnit XML: one testcase per threshold")
    .option("--summary <file>", "write a Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set)")
    .option("--data-dir <dir>", "where fresh rounds' records go")
    .addOption(format(["table", "json"], "table"))
    .addHelpText(
      "after",
      footer(
        "Thresholds: METRIC{label=value,...} OP NUMBER, e.g. p95_ms{model=gpt-4.1} < 2000, fallback_activation_rate{chain=default} <= 0.05\n" +
          `  metrics: ${METRICS.join(" ")}\n` +
          `  labels: ${LABELS.join(" ")}; numbers may end in %, ms, s or m\n` +
          "Exit codes: 0 every threshold passed · 1 a threshold failed · 2 usage or policy error · 4 too few samples to judge",
        4,
      ),
    )
    .action(async (opts) => setExit(await (await import("./commands/gate.js")).gateCommand(opts, io)));

  program
    .command("mock")
    .description("serve the fault-injecting OpenAI-compatible simulator")
    .requiredOption("--scenario <file>", "scenario file (see fixtures/scenarios/)")
    .option("--port <n>", "port (0 picks a free one)", port, 8787)
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .option("--seed <n>", "random seed (default: the scenario's)", (v) => Number.parseInt(v, 10))
    .action(async (opts) => setExit(await (await import("./commands/mock.js")).mockCommand(opts, io)));

  program
    .command("demo")
    .description("run tierwatch against its built-in simulator: no network, no tokens")
    .option("--rounds <n>", "how many rounds", positiveInt, 36)
    .option("--data-dir <dir>", "where records go (default: a new temporary directory)")
    .option("--seed <n>", "simulator seed", (v) => Number.parseInt(v, 10))
    .addOption(format(["table", "json"], "table"))
    .action(async (opts) => setExit(await (await import("./commands/demo.js")).demoCommand(opts, io)));

  return program;
}

/** The CLI entry point: runs one command and maps every error to a documented exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    // commander has already printed its message (or the help); --help and --version exit 0
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (err instanceof TierwatchError) {
    // an input file is named as the other messages name it: relative to the directory tierwatch runs in
    io.stderr.write(`tierwatch: ${err.naming ? err.naming.describe(shownInput(err.naming.file, io.cwd)) : err.message}\n`);
    printProblems(io, err.problems);
    return err.exitCode;
  }
  const e = err as Error;
  io.stderr.write(`tierwatch: internal error: ${e?.message ?? String(err)}\n`);
  if (io.env.TIERWATCH_DEBUG) io.stderr.write(`${e?.stack ?? ""}\n`);
  else io.stderr.write("  this is a bug; run again with TIERWATCH_DEBUG=1 for details and report it\n");
  return ExitCode.internal;
}
