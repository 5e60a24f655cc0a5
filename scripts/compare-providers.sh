#!/usr/bin/env bash
# The seed's "cloud versus local" benchmark, for users: the same prompt through Cortex, pinned to each enabled
# provider and each of its models, streamed a few times; prints time to first token, total time and output rate
# side by side, the order speed_first would take, and whether that order agrees with what was measured.
#
#   scripts/compare-providers.sh [--url URL] [--key KEY] [--runs N] [--models LIST] [--prompt TEXT] [--simulated] [--smoke]
#
#   --url URL      a Cortex already running (your providers: GROQ_API_KEYS, ..., OLLAMA_BASE_URL); default
#                  http://localhost:4000 when a provider key is set
#   --key KEY      a gateway key with the admin scope, when Cortex has gateway keys (or CORTEX_API_KEY)
#   --runs N       streamed runs per model, after one warm-up (default 3)
#   --models LIST  comma-separated provider/model (or model) names; default: every model of every enabled provider
#   --simulated    Cortex on free ports in front of the provider simulators, each provider at its own realistic pace;
#                  the default when no provider key is set and no --url is given. Both are stopped at the end
#   --smoke        simulated, one run of each provider's first model: the script end to end in well under 40 s
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,17s/^# \{0,1\}//p' "$0"; }
url="" key="${CORTEX_API_KEY:-}" runs=3 models="" simulated="" smoke=false
prompt="Count from 1 to 20 in words, one number per line." # the seed's "Cuenta del 1 al 5", long enough to rate
while [ $# -gt 0 ]; do
  case "$1" in
    --url) url=${2:?--url needs a URL}; shift 2 ;;
    --key) key=${2:?--key needs a key}; shift 2 ;;
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --models) models=${2:?--models needs a list}; shift 2 ;;
    --prompt) prompt=${2:?--prompt needs a text}; shift 2 ;;
    --simulated) simulated=true; shift ;;
    --smoke) smoke=true; simulated=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "Unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "--runs needs a whole number of at least 1" >&2; exit 2; }
if [ -z "$simulated" ]; then
  if [ -z "$url" ] && [ -z "${GROQ_API_KEYS:-}${GEMINI_API_KEYS:-}${COHERE_API_KEYS:-}" ]; then
    echo "No provider key set and no --url: comparing SIMULATED providers (--url to measure a running Cortex)."
    simulated=true
  else
    simulated=false
  fi
fi
$simulated && [ -n "$url" ] && { echo "--simulated starts its own Cortex: leave out --url" >&2; exit 2; }

jar=gateway/target/cortex-0.1.0-SNAPSHOT.jar
sims=simulators/target/cortex-simulators-0.1.0-SNAPSHOT-all.jar
# the client is compiled against the simulators' jar for its JSON library, as bench.sh compiles StreamBench
if [ ! -f "$jar" ] || [ ! -f "$sims" ] || [ -n "$(find gateway/src simulators/src pom.xml gateway/pom.xml simulators/pom.xml -newer "$jar" -print -quit)" ]; then
  echo "Building Cortex and the simulators ..."
  mvn -B -ntp -q package -DskipTests
fi
mkdir -p target/compare
if [ ! -f target/compare/CompareProviders.class ] || [ bench/CompareProviders.java -nt target/compare/CompareProviders.class ]; then
  javac -cp "$sims" -d target/compare bench/CompareProviders.java
fi

work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

if $simulated; then
  # Each provider at a pace like its real one (first token ms : gap between words ms : words), by model name: Groq
  # quick to start and very fast to write, Gemini slower to start (2.5 thinks first), Cohere in between, and Ollama
  # (below: the simulators' default pace, since its model is asked for as llama3.2:latest) a small model on a laptop
  # CPU: starts soon, writes slowly. One answer per model is 40 words; the usage counts them as tokens.
  profiles="llama-3.1-8b-instant:150:2:40,llama-3.3-70b-versatile:260:4:40"
  profiles+=",gemini-2.0-flash:420:5:40,gemini-2.5-flash:750:5:40"
  profiles+=",command-r-08-2024:330:14:40,command-a-03-2025:560:18:40"
  reply="one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen"
  reply+=" eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four twenty-five twenty-six twenty-seven"
  reply+=" twenty-eight twenty-nine thirty thirty-one thirty-two thirty-three thirty-four thirty-five thirty-six"
  reply+=" thirty-seven thirty-eight thirty-nine forty"
  groq=$(free_port) gemini=$(free_port) cohere=$(free_port) ollama=$(free_port) port=$(free_port) mgmt=$(free_port)
  java -Xmx256m -XX:+UseSerialGC -jar "$sims" --groq "$groq" --gemini "$gemini" --cohere "$cohere" --ollama "$ollama" \
    --scenario healthy --first-token-ms 280 --chunk-gap-ms 45 --reply "$reply" --profiles "$profiles" \
    > "$work/sim.log" 2>&1 &
  pids+=($!)
  # simulated keys (never real ones): the simulators accept any. Settings of the user's own Cortex that would change
  # what is compared (models, a master key, a shared Redis) are left out of this one's environment.
  env -u CORTEX_MASTER_KEY -u CORTEX_REDIS_URL -u GROQ_MODELS -u GEMINI_MODELS -u COHERE_MODELS \
  GROQ_API_KEYS=gsk_simulated_compare_key GEMINI_API_KEYS=simulated-compare-key COHERE_API_KEYS=simulated-compare-key \
  GROQ_BASE_URL="http://127.0.0.1:$groq/openai/v1" GEMINI_BASE_URL="http://127.0.0.1:$gemini/v1beta" \
  COHERE_BASE_URL="http://127.0.0.1:$cohere" OLLAMA_BASE_URL="http://127.0.0.1:$ollama" OLLAMA_MODELS=llama3.2 \
  CORTEX_PORT="$port" CORTEX_MANAGEMENT_PORT="$mgmt" JMS_ENABLED=false CORTEX_KEYS_FILE="$work/no-keys.yaml" \
  CORTEX_LIMITS_DATA_DIR="$work/limits" \
    java -Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dcamel.main.routes-reload-enabled=false \
    -jar "$jar" > "$work/cortex.log" 2>&1 &
  pids+=($!)
  url="http://127.0.0.1:$port"
  key="" # the simulated Cortex runs open on loopback: no gateway key
  if $smoke; then
    runs=1
    models="groq/llama-3.1-8b-instant,gemini/gemini-2.0-flash,cohere/command-r-08-2024,ollama/llama3.2"
  fi
  for _ in $(seq 1 120); do curl -fs "$url/api/health" > /dev/null 2>&1 && break; sleep 0.25; done
  curl -fs "$url/api/health" > /dev/null || { tail -30 "$work/cortex.log"; echo "Cortex did not start" >&2; exit 1; }
else
  url=${url:-http://localhost:4000}
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url/api/health" || true)
  case "$code" in
    200|503) ;;
    000) echo "No Cortex at $url: start it (scripts/run.sh) or name it with --url; --simulated needs none" >&2; exit 1 ;;
    *) echo "Cortex at $url answered $code to GET /api/health" >&2; exit 1 ;;
  esac
fi

# the key travels in the environment, not on a command line (visible to every user in ps)
CORTEX_COMPARE_KEY="$key" java -Xmx128m -XX:+UseSerialGC -cp "$sims:target/compare" CompareProviders \
  "$url" "$runs" "$models" "$prompt"
