#!/usr/bin/env bash
# All-in-one entrypoint: start Ollama, wait for it, pull the configured models that are missing, then run Cortex.
# A stop (SIGTERM) is passed to Cortex, which is given the time it needs to shut down; Ollama is stopped after it.
set -euo pipefail

: "${OLLAMA_MODELS:=llama3.2}"
: "${OLLAMA_WAIT_SECONDS:=60}"
ollama_url="${OLLAMA_BASE_URL:-http://127.0.0.1:11434}"

ollama serve &
ollama_pid=$!
trap 'kill "$ollama_pid" 2>/dev/null || true' EXIT
trap 'exit 143' TERM INT # before Cortex runs, a stop just ends here (the EXIT trap stops Ollama)

echo "Waiting up to ${OLLAMA_WAIT_SECONDS}s for Ollama at ${ollama_url} ..."
deadline=$((SECONDS + OLLAMA_WAIT_SECONDS))
until curl -fsS "${ollama_url}/api/tags" > /dev/null 2>&1; do
  if ! kill -0 "$ollama_pid" 2>/dev/null; then
    echo "Ollama exited before it answered" >&2
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "Ollama did not answer within ${OLLAMA_WAIT_SECONDS}s" >&2
    exit 1
  fi
  sleep 1
done

# the installed models, read once (a pipe into `grep -q` could end `ollama list` early and read as "not installed")
installed="$(ollama list | awk 'NR > 1 {print $1}')"
IFS=',' read -r -a models <<< "$OLLAMA_MODELS"
for model in "${models[@]}"; do
  model="$(echo "$model" | tr -d '[:space:]')"
  [ -n "$model" ] || continue
  if grep -qx -e "$model" -e "${model}:latest" <<< "$installed"; then
    echo "Model ${model} is already installed"
  else
    echo "Pulling ${model} ..."
    ollama pull "$model"
  fi
done

# Cortex as a child, so that Ollama can be stopped after it. A signal interrupts `wait` at once, while Cortex is
# still shutting down: the trap passes the signal on and the second `wait` lets Cortex finish (the container would
# otherwise end with this shell, cutting Cortex's shutdown short).
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
java ${JAVA_OPTS:-} -jar /app/cortex.jar &
cortex_pid=$!
trap 'kill -TERM "$cortex_pid" 2>/dev/null || true' TERM INT
status=0
wait "$cortex_pid" || status=$?
if kill -0 "$cortex_pid" 2>/dev/null; then
  status=0
  wait "$cortex_pid" || status=$?
fi
kill "$ollama_pid" 2>/dev/null || true
wait "$ollama_pid" 2>/dev/null || true
exit "$status"
