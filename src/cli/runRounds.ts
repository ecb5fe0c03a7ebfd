import { randomUUID } from "node:crypto";
import ora from "ora";
import { fileBreakerStore } from "../fallback/breakerStore.js";
import { chainRecords } from "../fallback/chainRecords.js";
import { runChain, type EngineDeps } from "../fallback/runChain.js";
import type { Chain, Policy } from "../policy/types.js";
import { probeRound } from "../probe/probeRound.js";
import type { ProbeTarget } from "../probe/probeTargets.js";
import { createTransport } from "../probe/transport.js";
import { appendRecords } from "../store/appendRecords.js";
import { ensureWritableDir } from "../store/ensureWritableDir.js";
import type { AttemptRecord } from "../store/record.js";
import type { Redactor } from "../util/redact.js";
import { newRunId } from "../util/runId.js";
import { sleep } from "../util/sleep.js";
import { interactive, type CliIo } from "./io.js";

/** How to run a series of probe rounds. */
export interface RoundsPlan {
  policy: Policy;
  redact: Redactor;
  targets: readonly ProbeTarget[];
  /** chains run through the fallback engine once per round */
  chains?: readonly Chain[];
  dataDir: string;
  rounds: number;
  intervalMs: number;
  concurrency?: number;
  stream?: boolean;
  warm?: boolean;
  /** show a spinner on a terminal */
  progress: boolean;
  onRound?: (records: readonly AttemptRecord[]) => void;
}

/** Runs probe rounds, appending each round's records as it ends; SIGINT/SIGTERM stop after the current round. */
export async function runRounds(plan: RoundsPlan, io: CliIo): Promise<{ runId: string; records: AttemptRecord[] }> {
  await ensureWritableDir(plan.dataDir);
  const transport = createTransport();
  const runId = newRunId(transport.now());
  const spinner = plan.progress && interactive(io) ? ora({ stream: io.stderr as NodeJS.WritableStream }) : undefined;
  const all: AttemptRecord[] = [];
  const chains = plan.chains ?? [];
  const deps: EngineDeps = { transport, breakers: fileBreakerStore(plan.dataDir), random: Math.random, sleep };
  let stopping = false;
  const onSignal = () => {
    stopping = true;
    spinner?.info("stopping after this round");
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    for (let round = 1; round <= plan.rounds && !stopping; round++) {
      const started = performance.now();
      let done = 0;
      const label = () => `round ${round}/${plan.rounds}: ${done}/${plan.targets.length + chains.length} probes`;
      spinner?.start(label());
      const records = plan.targets.length === 0 ? [] : await probeRound({
        policy: plan.policy,
        targets: plan.targets,
        transport,
        redact: plan.redact,
        runId,
        round,
        concurrency: plan.concurrency,
        stream: plan.stream,
        warm: plan.warm,
        onResult: () => {
          done++;
          if (spinner) spinner.text = label();
        },
      });
      // chains after the per-model probes, so the two never compete for the same model's rate limit
      for (const chain of chains) {
        const call = {
          chain,
          endpoints: plan.policy.endpoints,
          messages: plan.policy.probe.messages,
          params: { max_tokens: plan.policy.probe.maxTokens, ...(plan.policy.probe.temperature === undefined ? {} : { temperature: plan.policy.probe.temperature }) },
          stream: plan.stream ?? plan.policy.probe.stream,
          requestId: randomUUID(),
          expect: plan.policy.probe.expect,
        };
        const result = await runChain(call, deps);
        records.push(...chainRecords(call, result, { runId, round, origin: "chain" }, plan.redact));
        done++;
        if (spinner) spinner.text = label();
      }
      await appendRecords(plan.dataDir, records);
      all.push(...records);
      spinner?.succeed(`round ${round}/${plan.rounds}: ${records.filter((r) => r.status === "ok").length}/${records.length} ok`);
      plan.onRound?.(records);
      const wait = plan.intervalMs - (performance.now() - started);
      if (round < plan.rounds && wait > 0) await sleepUnless(wait, () => stopping);
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    spinner?.stop();
    await transport.close();
  }
  return { runId, records: all };
}

async function sleepUnless(ms: number, stop: () => boolean): Promise<void> {
  const end = performance.now() + ms;
  while (!stop() && performance.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(100, end - performance.now())));
  }
}
