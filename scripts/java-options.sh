# shellcheck shell=bash
# The JVM options Cortex runs with when JAVA_OPTS does not say otherwise: scripts/run.sh, scripts/demo.sh and the
# benchmark (scripts/bench.sh) read them from here, so the benchmark measures what a user runs. Chosen by measurement
# (README, "Memory"): a 256 MiB heap holds 10,000 open streams, the serial collector took half G1's memory for the
# same work, and 512 KiB thread stacks are ample for Cortex's shallow call chains; the whole process then stays under
# 512 MiB through the full benchmark. Without them the JVM would take a quarter of the machine for its heap (6 GiB on
# 24 GiB) and G1, and grow to about 700 MiB under the same load.
# shellcheck disable=SC2034 # used by the scripts that source this file
CORTEX_DEFAULT_JAVA_OPTS="-Xms64m -Xmx256m -XX:+UseSerialGC -Xss512k -XX:+ExitOnOutOfMemoryError"
