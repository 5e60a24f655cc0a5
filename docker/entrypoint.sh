#!/usr/bin/env bash
# All-in-one entrypoint: start Ollama, wait for it, pull the configured models that are missing, then hand the
# process over to Cortex. SIGTERM reaches both: Cortex replaces this shell, Ollama is stopped when Cortex exits.
set -euo pipefail

: "${OLLAMA_MODELS:=llama3.2}"
: "${OLLAMA_WAIT_SECONDS:=60}"
ollama_url="${OLLAMA_BASE_URL:-http://127.0.0.1:11434}"

ollama serve &
ollama_pid=$!
trap 'kill "$ollama_pid" 2>/dev/null || true' EXIT TERM INT

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

IFS=',' read -r -a models <<< "$OLLAMA_MODELS"
for model in "${models[@]}"; do
  model="$(echo "$model" | tr -d '[:space:]')"
  [ -n "$model" ] || continue
  if ollama list | awk 'NR > 1 {print $1}' | grep -qx -e "$model" -e "${model}:latest"; then
    echo "Model ${model} is already installed"
  else
    echo "Pulling ${model} ..."
    ollama pull "$model"
  fi
done

# Cortex in the foreground, Ollama beside it; when Cortex stops, the trap stops Ollama
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
java ${JAVA_OPTS:-} -jar /app/cortex.jar &
cortex_pid=$!
trap 'kill "$cortex_pid" "$ollama_pid" 2>/dev/null || true' TERM INT
wait "$cortex_pid"
status=$?
kill "$ollama_pid" 2>/dev/null || true
exit "$status"
