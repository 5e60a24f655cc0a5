#!/usr/bin/env bash
# Prepares a local Ollama for Cortex: checks it is installed, starts it if it is not answering, waits for it,
# pulls the configured models that are missing, and prints the settings to export. Safe to run again: it only
# does what is not done yet.
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: scripts/setup-ollama.sh [options]

  --models LIST     comma-separated models to have installed (default: $OLLAMA_MODELS or llama3.2)
  --timeout SECS    how long to wait for Ollama to answer (default: 60)
  --install         install Ollama with its official script if it is missing (asks first unless --yes)
  --yes             do not ask; answer yes (for scripts and CI)
  --no-start        do not start Ollama; only check and pull
  -h, --help        this text

Respects OLLAMA_BASE_URL (default http://localhost:11434) and OLLAMA_HOST.
TXT
}

models="${OLLAMA_MODELS:-llama3.2}"
timeout=60
install=false
assume_yes=false
start=true
while [ $# -gt 0 ]; do
  case "$1" in
    --models) models="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    --install) install=true; shift ;;
    --yes|-y) assume_yes=true; shift ;;
    --no-start) start=false; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "Unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

base_url="${OLLAMA_BASE_URL:-http://${OLLAMA_HOST:-localhost:11434}}"
case "$base_url" in http://*|https://*) ;; *) base_url="http://$base_url" ;; esac

answering() { curl -fsS --max-time 2 "$base_url/api/tags" > /dev/null 2>&1; }

confirm() {
  $assume_yes && return 0
  [ -t 0 ] || { echo "$1 — not asked (no terminal); use --yes" >&2; return 1; }
  read -r -p "$1 [y/N] " reply
  [ "$reply" = "y" ] || [ "$reply" = "Y" ]
}

if ! command -v ollama > /dev/null 2>&1 && ! answering; then
  echo "Ollama is not installed."
  if $install && confirm "Install Ollama now with https://ollama.com/install.sh?"; then
    curl -fsSL https://ollama.com/install.sh | sh
  else
    echo "Install it from https://ollama.com/download (or run this script with --install), then run it again." >&2
    exit 1
  fi
fi

if answering; then
  echo "Ollama answers at $base_url"
elif $start; then
  echo "Starting Ollama (ollama serve) ..."
  log="${TMPDIR:-/tmp}/ollama-serve.log"
  nohup ollama serve > "$log" 2>&1 &
  echo "  log: $log"
fi

deadline=$((SECONDS + timeout))
until answering; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "Ollama did not answer at $base_url within ${timeout}s" >&2
    exit 1
  fi
  sleep 1
done

installed="$(curl -fsS "$base_url/api/tags")"
IFS=',' read -r -a wanted <<< "$models"
for model in "${wanted[@]}"; do
  model="$(echo "$model" | tr -d '[:space:]')"
  [ -n "$model" ] || continue
  case "$model" in *:*) full="$model" ;; *) full="$model:latest" ;; esac
  if printf '%s' "$installed" | grep -Eq "\"name\": ?\"$full\""; then
    echo "Model $model is installed"
  else
    echo "Pulling $model ..."
    if command -v ollama > /dev/null 2>&1; then
      ollama pull "$model"
    else
      curl -fsS "$base_url/api/pull" -d "{\"model\":\"$model\",\"stream\":false}" > /dev/null
    fi
  fi
done

cat <<TXT

Ollama is ready. For Cortex:
  export OLLAMA_BASE_URL=$base_url
  export OLLAMA_MODELS=$models
  export OLLAMA_MAX_MEMORY_MB=\${OLLAMA_MAX_MEMORY_MB:-8192}
TXT
