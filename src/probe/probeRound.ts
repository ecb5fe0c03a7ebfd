import { randomUUID } from "node:crypto";
import type { Policy } from "../model/policy.js";
import type { AttemptRecord } from "../model/record.js";
import { mapLimit } from "../util/mapLimit.js";
import type { Redactor } from "../util/redact.js";
import { attemptRecord } from "./attemptRecord.js";
import { pricesOf } from "./costOf.js";
import type { ProbeTarget } from "./probeTargets.js";
import { runAttempt } from "./runAttempt.js";
import type { Transport } from "./transport.js";
import { warmUp } from "./warmUp.js";

/** Everything one probe round needs; nothing global. */
export interface ProbeRoundInput {
  policy: Policy;
  targets: readonly ProbeTarget[];
  transport: Transport;
  redact: Redactor;
  runId: string;
  round: number;
  concurrency?: number;
  stream?: boolean;
  warm?: boolean;
  onResult?: (record: AttemptRecord) => void;
}

/** Probes every target once, at most `concurrency` at a time, each under its tier's deadlines; returns one record each. */
export async function probeRound(input: ProbeRoundInput): Promise<AttemptRecord[]> {
  const { policy, targets, transport } = input;
  const concurrency = input.concurrency ?? policy.probe.concurrency;
  const stream = input.stream ?? policy.probe.stream;
  const prices = pricesOf(Object.values(policy.chains));
  if (input.warm !== false) {
    const perEndpoint = new Map<string, number>();
    for (const t of targets) perEndpoint.set(t.endpoint.name, (perEndpoint.get(t.endpoint.name) ?? 0) + 1);
    const endpoints = [...new Map(targets.map((t) => [t.endpoint.name, t.endpoint])).values()];
    await warmUp(endpoints, Math.min(concurrency, Math.max(...perEndpoint.values(), 1)), transport);
  }
  return mapLimit(targets, concurrency, async (target) => {
    const requestId = randomUUID();
    const { tier } = target;
    const result = await runAttempt(
      {
        endpoint: target.endpoint,
        model: target.model,
        messages: policy.probe.messages,
        params: {
          max_tokens: policy.probe.maxTokens,
          ...(policy.probe.temperature === undefined ? {} : { temperature: policy.probe.temperature }),
        },
        stream,
        timeoutMs: tier.timeoutMs,
        connectTimeoutMs: tier.connectTimeoutMs,
        ttftTimeoutMs: tier.ttftTimeoutMs,
        stallTimeoutMs: tier.stallTimeoutMs,
        headers: tier.headers,
        requestId,
        expect: policy.probe.expect,
        redact: input.redact,
        expectServed: tier.expectServed,
      },
      transport,
    );
    const record = attemptRecord(
      result,
      { runId: input.runId, round: input.round, requestId, origin: "probe", chain: target.chain, tier, endpoint: target.endpoint, attempt: 1, stream, prices },
      input.redact,
    );
    input.onResult?.(record);
    return record;
  });
}
