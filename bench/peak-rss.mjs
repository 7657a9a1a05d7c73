// Preloaded (NODE_OPTIONS=--import) into the semantic-release CLI process by the benchmark: writes the
// process's peak resident set size (getrusage ru_maxrss, the figure `/usr/bin/time -f %M` prints, in
// KiB) and whether the process loaded Node's built-in fetch (its bundled undici: about 17 MB of peak
// RSS in a release, docs/performance.md) to $BENCH_PEAK_RSS_FILE when the process exits, as JSON. It
// removes both variables at once, so that semantic-release and every process it starts see the same
// environment as a run without it.
import { writeFileSync } from "node:fs";

const file = process.env.BENCH_PEAK_RSS_FILE;
delete process.env.BENCH_PEAK_RSS_FILE;
delete process.env.NODE_OPTIONS;
if (file) {
  process.on("exit", () => {
    const nodeFetch = process.moduleLoadList.some((name) => name.endsWith("internal/deps/undici/undici"));
    writeFileSync(file, JSON.stringify({ maxRss: process.resourceUsage().maxRSS, nodeFetch }));
  });
}
