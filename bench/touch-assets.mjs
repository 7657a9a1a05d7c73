// A tiny local semantic-release plugin for the benchmark: in `prepare` it writes `count` asset files
// (assets/file-<i>.txt; rewritten when the repository has them, created otherwise) so that the plugin listed after it has
// that many changed files to commit. @semantic-release/changelog would change only one.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

export async function prepare(pluginConfig, context) {
  const count = Number(pluginConfig.count ?? 1);
  const dir = join(context.cwd, "assets");
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    await writeFile(join(dir, `file-${i}.txt`), `file ${i} of release ${context.nextRelease.version}\n`);
  }
  context.logger.log("Rewrote %d asset files", count);
}
