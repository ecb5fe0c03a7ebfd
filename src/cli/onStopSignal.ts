/** A request to stop, from SIGINT or SIGTERM, or made by the caller. */
export interface StopRequest {
  readonly requested: boolean;
  readonly signal: AbortSignal;
  /** asks to stop, as a signal would; `onFirst` hears of the first request only */
  request(): void;
  dispose(): void;
}

/** Turns SIGINT/SIGTERM into a request to stop after the current round (an abort signal wakes any sleep). */
export function onStopSignal(onFirst?: () => void): StopRequest {
  const controller = new AbortController();
  const state: StopRequest = {
    get requested() {
      return controller.signal.aborted;
    },
    signal: controller.signal,
    request: () => handler(),
    dispose() {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
  const handler = () => {
    if (!controller.signal.aborted) onFirst?.();
    controller.abort();
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return state;
}
