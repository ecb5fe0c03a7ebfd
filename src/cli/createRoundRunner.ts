import { createPoolStats } from "../fallback/poolOrder.js";
import { randomUUID } from "node:crypto";
import { fileBreakerStore } from "../fallback/breakerStore.js";
import { chainRecords } from "../fallback/chainRecords.js";
import { runChain, type EngineDeps } from "../fallback/runChain.js";
import type { Chain, Policy } from "../model/policy.js";
import { probeRound } from "../probe/probeRound.js";
import type { ProbeTarget } from "../probe/probeTargets.js";
import { createTransport } from "../probe/transport.js";
import { appendRecords } from "../store/appendRecords.js";
import type { AttemptRecord } from "../model/record.js";
import type { Redactor } from "../util/redact.js";
import { newRunId } from "../util/runId.js";
import { sleep } from "../util/sleep.js";

/** What every round runs: per-model probes, then chain runs, appended to the data directory. */
export interface RoundSpec {
  policy: Policy;
  redact: Redactor;
  targets: readonly ProbeTarget[];
  /** chains run through the fallback engine once per round */
  chains?: readonly Chain[];
  dataDir: string;
  concurrency?: number;
  stream?: boolean;
  warm?: boolean;
}

/** Runs rounds one at a time over one keep-alive pool; the records of a round are appended when it ends. */
export function createRoundRunner(spec: RoundSpec) {
  const transport = createTransport();
  const runId = newRunId(transport.now());
  const deps: EngineDeps = { transport, breakers: fileBreakerStore(spec.dataDir), random: Math.random, sleep, pools: createPoolStats() };
  return {
    runId,
    size: spec.targets.length + (spec.chains?.length ?? 0),
    /** One round of every target and chain, or of `only` those (a scrape that asks for one chain or model). */
    async run(round: number, onProgress?: () => void, only?: { targets: readonly ProbeTarget[]; chains: readonly Chain[] }): Promise<AttemptRecord[]> {
      const { policy } = spec;
      const targets = only?.targets ?? spec.targets;
      const chains = only?.chains ?? spec.chains ?? [];
      const records =
        targets.length === 0
          ? []
          : await probeRound({ policy, targets, transport, redact: spec.redact, runId, round, concurrency: spec.concurrency, stream: spec.stream, warm: spec.warm, onResult: onProgress });
      // chains after the per-model probes, so the two never compete for the same model's rate limit
      for (const chain of chains) {
        const call = {
          chain,
          endpoints: policy.endpoints,
          messages: policy.probe.messages,
          params: { max_tokens: policy.probe.maxTokens, ...(policy.probe.temperature === undefined ? {} : { temperature: policy.probe.temperature }) },
          stream: spec.stream ?? policy.probe.stream,
          requestId: randomUUID(),
          expect: policy.probe.expect,
          redact: spec.redact,
        };
        const result = await runChain(call, deps);
        records.push(...chainRecords(call, result, { runId, round, origin: "chain" }, spec.redact));
        onProgress?.();
      }
      await appendRecords(spec.dataDir, records);
      return records;
    },
    close: () => transport.close(),
  };
}
