// Preloaded (NODE_OPTIONS=--import) into the semantic-release CLI process by the benchmark: writes the
// process's peak resident set size (getrusage ru_maxrss, the figure `/usr/bin/time -f %M` prints, in
// KiB) to $BENCH_PEAK_RSS_FILE when the process exits. It removes both variables at once, so that
// semantic-release and every process it starts see the same environment as a run without it.
import { writeFileSync } from "node:fs";

const file = process.env.BENCH_PEAK_RSS_FILE;
delete process.env.BENCH_PEAK_RSS_FILE;
delete process.env.NODE_OPTIONS;
if (file) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
