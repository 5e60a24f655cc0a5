#!/usr/bin/env bash
# The README's run command: builds the jar if needed and starts Cortex on :${CORTEX_PORT:-4000}, reading
# routes/ and application.properties from this directory (edit them; no rebuild needed).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=gateway/target/cortex-0.1.0-SNAPSHOT.jar
if [ ! -f "$jar" ] || [ -n "$(find gateway/src simulators/src pom.xml gateway/pom.xml simulators/pom.xml -newer "$jar" -print -quit)" ]; then
  mvn -B -ntp -q package -DskipTests
fi
# shellcheck source=scripts/java-options.sh
. scripts/java-options.sh
read -r -a java_opts <<< "${JAVA_OPTS:-$CORTEX_DEFAULT_JAVA_OPTS}" # JAVA_OPTS is a space-separated list of options
exec java "${java_opts[@]}" -jar "$jar" "$@"
