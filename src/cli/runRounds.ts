import ora from "ora";
import { ensureWritableDir } from "../store/ensureWritableDir.js";
import type { AttemptRecord } from "../model/record.js";
import { sleep } from "../util/sleep.js";
import { createRoundRunner, type RoundSpec } from "./createRoundRunner.js";
import { interactive, type CliIo } from "./io.js";
import { onStopSignal } from "./onStopSignal.js";

/** How to run a fixed number of probe rounds. */
export interface RoundsPlan extends RoundSpec {
  rounds: number;
  intervalMs: number;
  /** show a spinner on a terminal */
  progress: boolean;
  /** after each round's records are written (alert rules) */
  afterRound?: () => Promise<void>;
}

/** Runs N probe rounds, appending each round's records as it ends; SIGINT/SIGTERM stop after the current round. */
export async function runRounds(plan: RoundsPlan, io: CliIo): Promise<{ runId: string; records: AttemptRecord[] }> {
  await ensureWritableDir(plan.dataDir);
  const runner = createRoundRunner(plan);
  const spinner = plan.progress && interactive(io) ? ora({ stream: io.stderr as NodeJS.WritableStream }) : undefined;
  const all: AttemptRecord[] = [];
  const stop = onStopSignal(() => spinner?.info("stopping after this round"));
  try {
    for (let round = 1; round <= plan.rounds && !stop.requested; round++) {
      const started = performance.now();
      let done = 0;
      const label = () => `round ${round}/${plan.rounds}: ${done}/${runner.size} probes`;
      spinner?.start(label());
      const records = await runner.run(round, () => {
        done++;
        if (spinner) spinner.text = label();
      });
      all.push(...records);
      spinner?.succeed(`round ${round}/${plan.rounds}: ${records.filter((r) => r.status === "ok").length}/${records.length} ok`);
      await plan.afterRound?.();
      const wait = plan.intervalMs - (performance.now() - started);
      if (round < plan.rounds && wait > 0) await sleep(wait, stop.signal);
    }
  } finally {
    stop.dispose();
    spinner?.stop();
    await runner.close();
  }
  return { runId: runner.runId, records: all };
}
