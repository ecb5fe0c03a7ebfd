import { fileURLToPath } from "node:url";

/** The installed package's root folder (this file is dist/src/util/packageRoot.js), where fixtures/ lives. */
export function packageRoot(): string {
  return fileURLToPath(new URL("../../../", import.meta.url));
}
