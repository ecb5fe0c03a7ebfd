import { targetKey } from "../model/targetKey.js";
import type { Problem } from "../errors.js";
import { formatMs } from "../util/duration.js";
import { formatPath } from "../util/paths.js";
import { membersOf, type Policy } from "../model/policy.js";
import { worstCaseMs } from "./worstCaseMs.js";

/** Rough prompt size: about four characters a token, plus a few tokens of framing per message. */
export function estimatePromptTokens(messages: readonly { content: string }[]): number {
  return messages.reduce((n, m) => n + Math.ceil(m.content.length / 4) + 4, 0);
}

/** The guide's production checklist as warnings: two providers, capped depth and latency, context windows. */
export function lintPolicy(policy: Policy): Problem[] {
  const out: Problem[] = [];
  const warn = (path: (string | number)[], message: string) => out.push({ path: formatPath(path), message, severity: "warning" });
  // an endpoint that talks to a known gateway (its routing headers say so) but reads no gateway's word
  for (const e of Object.values(policy.endpoints)) {
    if (e.gateway.profile !== "generic") continue;
    const sent = [e.headers, ...Object.values(policy.chains).flatMap((c) => c.tiers.filter((t) => t.endpoint === e.name).map((t) => t.headers))];
    const names = sent.flatMap((h) => Object.keys(h).map((k) => k.toLowerCase()));
    const gateway = names.some((n) => n.startsWith("x-portkey-")) ? "portkey" : names.some((n) => n.startsWith("x-litellm-")) ? "litellm" : undefined;
    if (gateway) warn(["endpoints", e.name, "gateway"], `sends ${gateway === "portkey" ? "Portkey" : "LiteLLM"} headers but reads no gateway's word on who served: set gateway: ${gateway} to see its fallback`);
  }
  for (const chain of Object.values(policy.chains)) {
    const path = ["chains", chain.name];
    const reachable = chain.tiers.slice(0, chain.maxDepth);
    if (reachable.length < 2) {
      warn([...path, "tiers"], "has a single tier: nothing to fall back to (the checklist asks for at least two providers/models)");
    } else {
      // a pool's members count: two providers within one tier are two providers
      const providers = new Set(reachable.flatMap(membersOf).map((t) => t.provider ?? `?${t.model}`));
      if (providers.size < 2) {
        warn(
          [...path, "tiers"],
          `every tier is served by ${[...providers][0]}; one provider outage takes the whole chain down (the checklist asks for at least two providers; set provider: on a tier if this guess is wrong)`,
        );
      }
    }
    const worst = worstCaseMs(chain);
    if (chain.deadlineMs === undefined) {
      warn(
        path,
        `no deadline_ms: the worst case (timeouts × attempts + backoff) is ${formatMs(worst)}; cap fallback latency with deadline_ms or max_depth`,
      );
    } else if (worst > chain.deadlineMs) {
      warn(
        [...path, "deadline_ms"],
        `the worst case (timeouts × attempts + backoff) is ${formatMs(worst)}, over the ${formatMs(chain.deadlineMs)} deadline: later tiers get cut short`,
      );
    }
    const first = reachable[0];
    reachable.forEach((tier, i) => {
      const tierPath = [...path, "tiers", i];
      if (first?.contextWindow !== undefined && tier.contextWindow !== undefined && tier.contextWindow < first.contextWindow) {
        warn(
          [...tierPath, "context_window"],
          `${tier.contextWindow} is smaller than tier 1's ${first.contextWindow}: prompts that fit tier 1 may fail here with context_length`,
        );
      }
      const need = estimatePromptTokens(policy.probe.messages) + policy.probe.maxTokens;
      if (tier.contextWindow !== undefined && tier.contextWindow < need) {
        warn([...tierPath, "context_window"], `${tier.contextWindow} is smaller than the probe needs (about ${need} tokens)`);
      }
      if (chain.deadlineMs !== undefined && tier.timeoutMs > chain.deadlineMs) {
        warn([...tierPath, "timeout_ms"], `${tier.timeoutMs} exceeds the chain's deadline_ms (${chain.deadlineMs})`);
      }
    });
    const seen = new Set<string>();
    chain.tiers.forEach((tier, i) => {
      if (tier.members.length > 0) return;
      const key = targetKey(tier.endpoint, tier.model, tier.headersId);
      if (seen.has(key)) warn([...path, "tiers", i], `repeats ${tier.model} on ${tier.endpoint} with the same headers: a failing model fails again`);
      seen.add(key);
    });
  }
  return out;
}
