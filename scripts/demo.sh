#!/usr/bin/env bash
# A demo that needs nothing: Cortex in front of SIMULATED providers in the seed's nightmare state
# (Groq 429, Gemini quota exceeded, Cohere 503, Ollama answering), so the chain's fail-over can be watched.
# No real LLM is called and no key is needed. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=gateway/target/cortex-0.1.0-SNAPSHOT.jar
sims=simulators/target/cortex-simulators-0.1.0-SNAPSHOT-all.jar
if [ ! -f "$jar" ] || [ ! -f "$sims" ] || [ -n "$(find gateway/src simulators/src pom.xml gateway/pom.xml simulators/pom.xml -newer "$jar" -print -quit)" ]; then
  mvn -B -ntp -q package -DskipTests
fi
scenario=${1:-nightmare}
# shellcheck source=scripts/java-options.sh
. scripts/java-options.sh
read -r -a java_opts <<< "${JAVA_OPTS:-$CORTEX_DEFAULT_JAVA_OPTS}" # JAVA_OPTS is a space-separated list of options
java -jar "$sims" --groq 9101 --gemini 9102 --cohere 9103 --ollama 9104 \
  --scenario "$scenario" --chunk-gap-ms 60 &
sims=$!
trap 'kill $sims 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -s -o /dev/null localhost:9104/ && break; sleep 0.2; done

cat <<TXT

  Try, in another terminal:
    curl -N localhost:${CORTEX_PORT:-4000}/api/chat -H 'Content-Type: application/json' -d '{"messages":[{"role":"user","content":"hola"}]}' -D -
    curl -s localhost:${CORTEX_PORT:-4000}/api/health
    curl -s 'localhost:${CORTEX_PORT:-4000}/api/route?strategy=cost_first'
  The X-Cortex-Attempts header shows the trail: groq:429,gemini:quota,cohere:503,ollama:ok

TXT
GROQ_API_KEYS=gsk_simulated_demo_key GEMINI_API_KEYS=simulated-demo-key COHERE_API_KEYS=simulated-demo-key \
GROQ_BASE_URL=http://127.0.0.1:9101/openai/v1 GEMINI_BASE_URL=http://127.0.0.1:9102/v1beta \
COHERE_BASE_URL=http://127.0.0.1:9103 OLLAMA_BASE_URL=http://127.0.0.1:9104 \
  java "${java_opts[@]}" -jar "$jar"
