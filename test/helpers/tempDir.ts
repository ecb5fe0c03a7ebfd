import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";

/** A fresh temporary directory removed when the test ends. */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "tierwatch-test-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
