#!/usr/bin/env bash
# Checks the Docker files and the shell scripts with the tools that run without a Docker engine:
# docker-compose (Debian's) parses the compose file, dockerfilelint (npm) lints the Dockerfiles, shellcheck lints
# every script, and test-setup-ollama.sh runs setup-ollama.sh against a fake Ollama. Installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v shellcheck > /dev/null 2>&1 || need_apt+=(shellcheck)
command -v docker-compose > /dev/null 2>&1 || need_apt+=(docker-compose)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing ${need_apt[*]} (Debian packages) ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq > /dev/null
  apt-get install -y -qq "${need_apt[@]}" > /dev/null
fi
lint_dir=".lint-tools"
if [ ! -x "$lint_dir/node_modules/.bin/dockerfilelint" ]; then
  echo "Installing dockerfilelint (npm) ..."
  mkdir -p "$lint_dir"
  npm install --silent --no-audit --no-fund --prefix "$lint_dir" dockerfilelint@1.8.0 > /dev/null
fi

echo "== compose file parses ($(docker-compose version --short))"
CORTEX_MASTER_KEY=lint-only docker-compose -f docker/docker-compose.yml config -q
CORTEX_MASTER_KEY=lint-only docker-compose -f docker/docker-compose.cluster.yml config -q
CORTEX_MASTER_KEY=lint-only DT_IMAGE=lint DT_SIMS_JAR=/lint.jar DT_COMPOSE_IMAGE=lint DT_REDIS_IMAGE=lint \
  docker-compose -f docker/docker-compose.cluster.yml -f docker/test/docker-compose.cluster.test.yml config -q
# with the Docker test's override (scripts/docker-test.sh), whose variables the test sets
CORTEX_MASTER_KEY=lint-only DT_IMAGE=lint DT_SIMS_JAR=/lint.jar DT_RUNTIME_IMAGE=lint DT_COMPOSE_IMAGE=lint \
  docker-compose -f docker/docker-compose.yml -f docker/test/docker-compose.test.yml config -q

echo "== Dockerfiles lint clean (dockerfilelint)"
for f in docker/Dockerfile docker/Dockerfile.all-in-one docker/test/Dockerfile.redis; do
  "$lint_dir/node_modules/.bin/dockerfilelint" -c "$PWD" "$f"
done

echo "== shell scripts lint clean ($(shellcheck --version | sed -n 's/^version: //p'))"
shellcheck scripts/*.sh docker/*.sh docker/test/ollama .ci/run
for f in scripts/*.sh docker/*.sh docker/test/ollama; do bash -n "$f"; done

echo "== setup-ollama.sh against a fake Ollama"
bash scripts/test-setup-ollama.sh

echo "Docker files and scripts: all checks passed"
