#!/usr/bin/env bash
# Gateway keys: makes, revokes and lists the keys clients send to Cortex, in config/keys.yaml (or --file F, or
# $CORTEX_KEYS_FILE). A running Cortex picks every change up on its next request.
#   KEY=$(scripts/cortex-key.sh new --name team-a --providers groq,ollama)   the key is printed once, alone on stdout
#   scripts/cortex-key.sh revoke --name team-a
#   scripts/cortex-key.sh list
#   printf %s "$KEY" | scripts/cortex-key.sh hash                            the sha256 line for a key made elsewhere
# scripts/cortex-key.sh --help lists every option. It runs from the repository root, as Cortex does (scripts/run.sh):
# a relative --file is taken from there.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=gateway/target/cortex-0.1.0-SNAPSHOT.jar
if [ ! -f "$jar" ] || [ -n "$(find gateway/src simulators/src pom.xml gateway/pom.xml simulators/pom.xml -newer "$jar" -print -quit)" ]; then
  # stdout carries only the key: the build talks on stderr
  mvn -B -ntp -q -pl gateway -am package -DskipTests >&2
fi
exec java -cp "$jar" dev.cortex.access.KeyCommand "$@"
