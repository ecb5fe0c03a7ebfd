import { wilsonInterval } from "../analysis/wilsonInterval.js";
import type { Chain, Tier } from "../model/policy.js";
import { targetKey } from "../model/targetKey.js";
import { targetRounds, type History } from "./history.js";

/** A pool member's evidence and the weight proposed for it. */
export interface MemberAdvice {
  member: string;
  weight: number;
  proposed: number;
  samples: number;
  success_rate: number | null;
  success_ci: [number, number] | null;
}

/** A weight change for one pool tier, with its evidence. */
export interface PoolAdvice {
  tier: number;
  members: MemberAdvice[];
  /** "shift east/gpt-4.1 70 → 35: its success 91.0% [89.0–93.0] against west/gpt-4.1's 99.6% [99.3–99.8]" */
  reasons: string[];
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/**
 * A strategy for a weighted pool whose members answer equally well (their success intervals overlap)
 * but one clearly faster: its median latency at most two thirds of another's, over min-rounds each.
 */
export function strategyAdvice(history: History, chain: Chain, minRounds: number): string[] {
  const out: string[] = [];
  for (const tier of chain.tiers.slice(0, chain.maxDepth)) {
    if (tier.members.length < 2 || tier.strategy !== "weighted") continue;
    const ev = tier.members.map((m) => {
      const r = targetRounds(history, history.targets.indexOf(targetKey(m.endpoint, m.model, m.headersId)), m.timeoutMs);
      const sorted = Float64Array.from(r.oks).sort();
      return { m, samples: r.samples, ci: wilsonInterval(r.okWithin, r.samples), p50: sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : null };
    });
    if (ev.some((e) => e.samples < minRounds || e.p50 === null || e.ci === null)) continue;
    const overlap = ev.every((a) => ev.every((b) => a.ci![0] <= b.ci![1]));
    const fast = ev.reduce((a, b) => (b.p50! < a.p50! ? b : a));
    const slow = ev.reduce((a, b) => (b.p50! > a.p50! ? b : a));
    if (overlap && fast.p50! <= (slow.p50! * 2) / 3) {
      out.push(`tier ${tier.index}: strategy latency would send most requests to ${fast.m.member} (median ${Math.round(fast.p50!)} ms against ${slow.m.member}'s ${Math.round(slow.p50!)} ms, success alike); set strategy: latency to follow it`);
    }
  }
  return out;
}

/**
 * Weights for a pool, on the same evidence rules as a reorder: a member whose success interval lies wholly
 * below the best member's, over at least `minRounds` rounds each, gives half its weight to the best.
 * A pool whose members' intervals overlap is left as it is.
 */
export function poolAdvice(history: History, chain: Chain, minRounds: number): PoolAdvice[] {
  const out: PoolAdvice[] = [];
  for (const tier of chain.tiers.slice(0, chain.maxDepth)) {
    if (tier.members.length < 2) continue;
    const members = tier.members.map((m) => evidence(history, m));
    if (members.some((m) => m.samples < minRounds)) continue;
    const best = members.reduce((a, b) => ((b.success_ci?.[0] ?? 0) > (a.success_ci?.[0] ?? 0) ? b : a));
    const worse = members.filter((m) => m !== best && m.success_ci !== null && best.success_ci !== null && m.success_ci[1] < best.success_ci[0]);
    if (worse.length === 0) continue;
    const reasons: string[] = [];
    for (const m of worse) {
      m.proposed = round(m.weight / 2);
      best.proposed = round(best.proposed + m.weight - m.proposed);
      reasons.push(
        `shift ${m.member} ${m.weight} → ${m.proposed}: its success ${pct(m.success_rate!)} [${pct(m.success_ci![0])}–${pct(m.success_ci![1])}] against ${best.member}'s ${pct(best.success_rate!)} [${pct(best.success_ci![0])}–${pct(best.success_ci![1])}] over ${m.samples} rounds`,
      );
    }
    reasons.push(`${best.member} ${best.weight} → ${best.proposed}`);
    out.push({ tier: tier.index, members, reasons });
  }
  return out;
}

const round = (x: number) => Math.round(x * 100) / 100;

function evidence(history: History, m: Tier): MemberAdvice {
  const { samples, okWithin: ok } = targetRounds(history, history.targets.indexOf(targetKey(m.endpoint, m.model, m.headersId)), m.timeoutMs);
  return { member: m.member ?? `${m.endpoint}/${m.model}`, weight: m.weight, proposed: m.weight, samples, success_rate: samples ? ok / samples : null, success_ci: wilsonInterval(ok, samples) };
}

/** The chain with the advised weights. */
export function withWeights(chain: Chain, advice: readonly PoolAdvice[]): Chain {
  return {
    ...chain,
    tiers: chain.tiers.map((t) => {
      const a = advice.find((x) => x.tier === t.index);
      if (!a) return t;
      return { ...t, members: t.members.map((m) => ({ ...m, weight: a.members.find((x) => x.member === m.member)?.proposed ?? m.weight })) };
    }),
  };
}
