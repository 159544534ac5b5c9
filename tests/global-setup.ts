import { execFileSync } from "node:child_process";
import path from "node:path";

/** Builds dist/ once, so that tests which run the `warta` command run the current code. */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, "..");
  execFileSync(
    process.execPath,
    [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
}
