import path from "node:path";
import { Gauge, Registry } from "prom-client";
import { fileBreakerStore } from "../../fallback/breakerStore.js";
import { startMetricsServer, type Reply } from "../../metrics/metricsServer.js";
import { createPromMetrics } from "../../metrics/promMetrics.js";
import type { Chain } from "../../model/policy.js";
import type { AttemptRecord } from "../../model/record.js";
import { loadPolicy } from "../../policy/loadPolicy.js";
import { probeTargets, type ProbeTarget } from "../../probe/probeTargets.js";
import { ensureWritableDir } from "../../store/ensureWritableDir.js";
import { createRoundRunner } from "../createRoundRunner.js";
import type { CliIo } from "../io.js";
import { onStopSignal } from "../onStopSignal.js";

export interface ServeOptions {
  policy?: string;
  listen: string;
  dataDir?: string;
  stream?: boolean;
}

const TEXT = "text/plain; charset=utf-8";

/**
 * `tierwatch serve`: the blackbox-exporter pattern, where Prometheus drives the schedule. GET
 * /probe?chain=NAME runs one round for that chain (its tiers' per-model probes, then the chain through
 * the engine), records it like any probe, and answers with that round's gauges; /probe?model=NAME probes
 * that model's targets. /metrics has the totals of every round served so far.
 */
export async function serveCommand(opts: ServeOptions, io: CliIo): Promise<number> {
  const { policy, redact, notice } = await loadPolicy(opts.policy, { env: io.env, cwd: io.cwd });
  if (notice) io.stderr.write(`${notice}\n`);
  const dataDir = opts.dataDir ? path.resolve(io.cwd, opts.dataDir) : policy.store.dir;
  await ensureWritableDir(dataDir);
  const runner = createRoundRunner({ policy, redact, targets: [], chains: [], dataDir, stream: opts.stream });
  const totals = createPromMetrics(policy);
  const breakers = fileBreakerStore(dataDir);
  let round = 0;
  const all = probeTargets(policy);

  const probe = async (query: URLSearchParams): Promise<Reply> => {
    const chainName = query.get("chain");
    const model = query.get("model");
    let chains: Chain[] = [];
    let targets: ProbeTarget[];
    if (chainName !== null) {
      const chain = policy.chains[chainName];
      if (!chain) return { status: 400, contentType: TEXT, body: `no chain ${chainName} in the policy (it has ${Object.keys(policy.chains).join(", ")})\n` };
      chains = [chain];
      targets = all.filter((t) => chain.tiers.some((tier) => tier.endpoint === t.endpoint.name && tier.model === t.model && tier.headersId === t.tier.headersId));
    } else if (model !== null) {
      targets = all.filter((t) => t.model === model);
      if (targets.length === 0) return { status: 400, contentType: TEXT, body: `no tier of the policy asks for model ${model}\n` };
    } else return { status: 400, contentType: TEXT, body: "ask for /probe?chain=NAME or /probe?model=NAME\n" };
    const started = performance.now();
    const records = await runner.run(++round, undefined, { targets, chains });
    totals.observeRound(records, Date.now(), await breakers.snapshot());
    const registry = roundRegistry(records, chainName, (performance.now() - started) / 1000);
    return { status: 200, contentType: registry.contentType, body: await registry.metrics() };
  };

  const server = await startMetricsServer(opts.listen, "--listen", {
    "/probe": probe,
    "/metrics": async () => ({ status: 200, contentType: totals.registry.contentType, body: await totals.registry.metrics() }),
  });
  io.stderr.write(`tierwatch: serving ${server.url}/probe?chain=NAME (or ?model=NAME) and ${server.url}/metrics; records into ${dataDir}; Ctrl-C stops\n`);
  const stop = onStopSignal();
  await new Promise<void>((resolve) => stop.signal.addEventListener("abort", () => resolve(), { once: true }));
  stop.dispose();
  await server.close();
  await runner.close();
  return 0;
}

/** One scrape's answer: probe_success and probe_duration_seconds as the blackbox exporter has them, and the round's detail. */
function roundRegistry(records: readonly AttemptRecord[], chain: string | null, seconds: number): Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE> {
  const registry = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const reg = { registers: [registry] };
  const outcome = chain !== null ? records.find((r) => r.kind === "chain") : undefined;
  const probes = records.filter((r) => r.kind !== "chain" && r.origin !== "chain");
  const success = outcome ? outcome.status === "ok" : probes.length > 0 && probes.every((r) => r.status === "ok");
  new Gauge({ name: "probe_success", help: "1 when the chain served the request (with ?model=: every probe of the model answered ok)", ...reg }).set(success ? 1 : 0);
  new Gauge({ name: "probe_duration_seconds", help: "how long the round took", ...reg }).set(seconds);
  if (outcome) {
    new Gauge({ name: "tierwatch_probe_served_tier", help: "the tier that served the chain request, 0 when none did", ...reg }).set(outcome.status === "ok" ? (outcome.served_tier ?? 0) : 0);
    const viaGateway = outcome.status === "ok" && outcome.served_tier === 1 && outcome.gateway_fallback === true;
    new Gauge({ name: "tierwatch_probe_fallback", help: "1 when tier 1 did not serve the request as intended (app or gateway fallback)", ...reg }).set(outcome.status !== "ok" || outcome.served_tier !== 1 || viaGateway ? 1 : 0);
    new Gauge({ name: "tierwatch_probe_gateway_fallback", help: "1 when tier 1's answer came from another target through the gateway", ...reg }).set(viaGateway ? 1 : 0);
  }
  const labelNames = ["tier", "model", "endpoint"] as const;
  const ok = new Gauge({ name: "tierwatch_probe_attempt_success", help: "1 when the tier's per-model probe answered ok", labelNames, ...reg });
  const dur = new Gauge({ name: "tierwatch_probe_attempt_duration_seconds", help: "the per-model probe's latency", labelNames, ...reg });
  for (const r of probes) {
    const l = { tier: String(r.tier ?? ""), model: r.model ?? "", endpoint: r.endpoint ?? "" };
    ok.set(l, r.status === "ok" ? 1 : 0);
    if (typeof r.latency_ms === "number") dur.set(l, r.latency_ms / 1000);
  }
  return registry;
}
