# shellcheck shell=bash
# The JVM options Cortex runs with when JAVA_OPTS does not say otherwise: scripts/run.sh, scripts/demo.sh and the
# benchmark (scripts/bench.sh) read them from here, so the benchmark measures what a user runs. Chosen by measurement
# (README, "Memory"): a 256 MiB heap holds 10,000 open streams, the serial collector took half G1's memory for the
# same work, and 512 KiB thread stacks are ample for Cortex's shallow call chains; the whole process then stays under
# 512 MiB through the full benchmark. A young generation of a fixed 64 MiB (-Xmn64m; the initial heap 128 MiB so that
# the old one is not squeezed) keeps requests in flight from being promoted: against a 50 ms upstream at 256
# connections it took Cortex's CPU per request from 0.34 to 0.25-0.27 ms and its throughput from 2,800 to 3,660-3,860
# requests/s (README, "Memory"). Without them the JVM would take a quarter of the machine for its heap (6 GiB on 24 GiB)
# and G1, and grow to about 700 MiB under the same load.
# shellcheck disable=SC2034 # used by the scripts that source this file
CORTEX_DEFAULT_JAVA_OPTS="-Xms128m -Xmx256m -Xmn64m -XX:+UseSerialGC -Xss512k -XX:+ExitOnOutOfMemoryError"
