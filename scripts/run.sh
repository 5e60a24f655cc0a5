#!/usr/bin/env bash
# The README's run command: builds the jar if needed and starts Cortex on :${CORTEX_PORT:-4000}, reading
# routes/ and application.properties from this directory (edit them; no rebuild needed).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=target/cortex-0.1.0-SNAPSHOT.jar
if [ ! -f "$jar" ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit)" ]; then
  mvn -B -ntp -q package -DskipTests
fi
exec java ${JAVA_OPTS:-} -jar "$jar" "$@"
