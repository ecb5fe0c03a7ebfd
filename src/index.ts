// tierwatch as a library: the fallback engine the CLI monitors, for an application to run itself.
export {
  AllTiersFailedError,
  createFallbackClient,
  type AttemptSummary,
  type CompleteRequest,
  type CompleteResult,
  type FallbackClient,
  type FallbackClientOptions,
  type StreamEvent,
} from "./client/createFallbackClient.js";
export { TierwatchError, ExitCode, type Problem } from "./errors.js";
export { fileBreakerStore, memoryBreakerStore, type BreakerStore } from "./fallback/breakerStore.js";
export { runChain, type ChainCall, type ChainResult, type EngineDeps } from "./fallback/runChain.js";
export { loadPolicy } from "./policy/loadPolicy.js";
export { validatePolicy } from "./policy/validatePolicy.js";
export type { Chain, Endpoint, Policy, Tier } from "./model/policy.js";
export { STATUSES, type Status } from "./model/status.js";
export { readRecords } from "./store/readRecords.js";
export type { AttemptRecord } from "./model/record.js";
export { startSimulator, type Simulator } from "./sim/startSimulator.js";
export type { Scenario } from "./sim/scenario.js";
