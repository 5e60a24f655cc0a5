#!/usr/bin/env bash
# Builds the Docker images and runs them, as users would, on this machine's own Docker engine:
#   (a) Cortex's image in front of the provider simulators (their own container, same image): /api/health, the
#       liveness health check with every provider down, a streamed chat through the fail-over chain and its attempt
#       trail, then the container's memory under a load of chats and streams;
#   (b) a JMS request from another container to the embedded broker;
#   (c) a JMS request in flight while the container is stopped and removed: a new container on the same data volume
#       answers it;
#   (d) docker-compose with docker/test/docker-compose.test.yml (the Ollama simulator for the `ollama` service):
#       Cortex waits for it, serves a chat from it, and `down -v` leaves nothing behind;
#   (f) docker/docker-compose.cluster.yml with docker/test/docker-compose.cluster.test.yml: two replicas and Redis
#       (Debian's redis-server on the test's base); a key's requests per minute hold across both replicas;
#   (e) the all-in-one image, whose entrypoint starts a stand-in `ollama` (docker/test/ollama), waits for it, pulls
#       what OLLAMA_MODELS lacks, hands over to Cortex, which answers a chat with the pulled model.
# It starts an engine when none answers (installing Debian's docker.io when missing) and stops it at the end,
# uses the public base images when they can be pulled and otherwise a stand-in made from Debian's packages
# (local/debian-jre17, kept for the next run), and builds the images from the jar `mvn package` built (a Maven build
# inside an image cannot reach Maven Central here). Fails, printing the containers' logs, when a container does not
# start or answer; removes its containers, volumes, images and build cache at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
t0=$SECONDS

jar=gateway/target/cortex-0.1.0-SNAPSHOT.jar
sims_jar="$repo/simulators/target/cortex-simulators-0.1.0-SNAPSHOT-all.jar"
label=dev.cortex.docker-test          # on every container and volume this test makes, for the clean-up
image=cortex-dt/cortex:test           # docker/Dockerfile
compose_image=cortex-dt/compose:test  # docker/Dockerfile again, built by docker-compose
aio_image=cortex-dt/all-in-one:test   # docker/Dockerfile.all-in-one
redis_image=cortex-dt/redis:test      # docker/test/Dockerfile.redis
standin=local/debian-jre17
standin_recipe=3                      # a stand-in made by an older recipe of this script is made again
project=cortex-dt                     # the compose project
volume=cortex-dt-data
logs="$repo/target/docker-test"       # build and engine logs, kept after the run
rm -rf "$logs" && mkdir -p "$logs"
key="ck_dt_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# Every container shares the host's network (the engine here has no bridge), so each listens on ports of its own.
# (Compose's containers have a network of their own; only Cortex's published port is on the host's.)
sim_groq=18101 sim_gemini=18102 sim_cohere=18103 sim_ollama=18104
cortex_port=18110 cortex_mgmt=18111 cortex_broker=18112
compose_port=18121
cluster_a=18122 cluster_b=18123
aio_ollama=18130 aio_port=18131 aio_mgmt=18132 aio_broker=18133

dockerd_pid=""
bk_docker=""
compose_up=false
compose=()

step() { echo "== [$((SECONDS - t0))s] $*"; }

fail() {
  echo "FAIL: $*" >&2
  local c
  for c in $(docker ps -aq --filter "label=$label" 2>/dev/null) \
      $(docker ps -aq --filter "label=com.docker.compose.project=$project" 2>/dev/null); do
    echo "---- logs of $(docker inspect -f '{{.Name}}' "$c" 2>/dev/null) ----" >&2
    docker logs --tail 60 "$c" >&2 2>&1 || true
  done
  exit 1
}

# what this test makes: its containers (with their anonymous volumes), volumes and images, and, on an engine it
# started, the build cache (an engine that was running may hold a user's cache). The base images stay for the next run.
remove_test_objects() {
  docker ps -aq --filter "label=$label" | xargs -r docker rm -f -v > /dev/null
  docker ps -aq --filter "label=com.docker.compose.project=$project" | xargs -r docker rm -f -v > /dev/null
  docker volume ls -q --filter "label=$label" | xargs -r docker volume rm > /dev/null
  docker volume ls -q --filter "label=com.docker.compose.project=$project" | xargs -r docker volume rm > /dev/null
  docker network ls -q --filter "label=com.docker.compose.project=$project" | xargs -r docker network rm > /dev/null
  docker rmi -f "$image" "$compose_image" "$aio_image" "$redis_image" > /dev/null 2>&1
  # BuildKit's cache, which only a BuildKit client prunes (a newer CLI without buildx prunes the legacy builder's)
  if [ -n "$dockerd_pid" ] && [ -n "$bk_docker" ]; then DOCKER_BUILDKIT=1 "$bk_docker" builder prune -af > /dev/null 2>&1; fi
}

cleanup() {
  local status=$?
  set +e
  if $compose_up; then "${compose[@]}" down -v --remove-orphans > /dev/null 2>&1; fi
  if docker info > /dev/null 2>&1; then remove_test_objects; fi
  if [ -n "$dockerd_pid" ]; then
    # the engine this test started: stopped, as the machine was found (its images stay on disk for the next run)
    kill "$dockerd_pid" 2> /dev/null
    for _ in $(seq 1 30); do kill -0 "$dockerd_pid" 2> /dev/null || break; sleep 1; done
  fi
  echo "docker-test: $([ "$status" -eq 0 ] && echo passed || echo FAILED) in $((SECONDS - t0))s (logs: $logs)"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

apt_install() {
  echo "Installing $* (Debian packages) ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq > /dev/null
  apt-get install -y -qq "$@" > /dev/null
}

# ---------------------------------------------------------------------------------------------------------------
step "Docker engine"
need=()
command -v dockerd > /dev/null 2>&1 || need+=(docker.io)
command -v docker-compose > /dev/null 2>&1 || need+=(docker-compose)
if [ ${#need[@]} -gt 0 ]; then apt_install "${need[@]}"; fi
if docker info > /dev/null 2>&1; then
  echo "an engine answers: using it (and leaving it running)"
else
  # a pid file left by an engine that died would stop dockerd from starting
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2> /dev/null; then rm -f /var/run/docker.pid; fi
  # no iptables and no bridge on these machines: containers use the host's network; vfs works on any filesystem
  dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs > "$logs/dockerd.log" 2>&1 < /dev/null &
  dockerd_pid=$!
  for _ in $(seq 1 60); do docker info > /dev/null 2>&1 && break; sleep 1; done
  docker info > /dev/null 2>&1 || { tail -20 "$logs/dockerd.log" >&2; fail "dockerd did not start"; }
  echo "started dockerd (pid $dockerd_pid, log $logs/dockerd.log)"
fi

# The Dockerfiles need BuildKit (it builds only the jar stage asked for). Docker's CLI from 23.0 on builds with it
# through the buildx plugin; older clients (Debian's docker.io) with DOCKER_BUILDKIT=1. This machine's CLI may be a
# newer one without the plugin, beside Debian's: take the first that can.
if docker buildx version > /dev/null 2>&1; then
  bk_docker="$(command -v docker)"
else
  while read -r client; do
    major="$("$client" --version 2> /dev/null | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p')"
    if [ -n "$major" ] && [ "$major" -lt 23 ]; then bk_docker="$client"; break; fi
  done < <(type -ap docker)
fi
[ -n "$bk_docker" ] || fail "no docker client here builds with BuildKit (install the buildx plugin, or Debian's docker.io)"
mkdir -p "$logs/bin" && ln -sf "$bk_docker" "$logs/bin/docker" # docker-compose's builds call `docker build`
export DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1

remove_test_objects || true # what an interrupted run left

for port in $sim_groq $sim_gemini $sim_cohere $sim_ollama $cortex_port $cortex_mgmt $cortex_broker \
    $compose_port $cluster_a $cluster_b $aio_ollama $aio_port $aio_mgmt $aio_broker; do
  if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then fail "port $port is in use on this machine"; fi
done

# ---------------------------------------------------------------------------------------------------------------
step "Base images"
if timeout 120 docker pull -q eclipse-temurin:17-jre-jammy > /dev/null 2>&1 \
    && timeout 300 docker pull -q ollama/ollama:0.6.5 > /dev/null 2>&1; then
  runtime_base=eclipse-temurin:17-jre-jammy
  ollama_base=ollama/ollama:0.6.5
  echo "public bases pulled"
else
  runtime_base=$standin
  ollama_base=$standin
  if [ "$(docker image inspect -f '{{index .Config.Labels "dev.cortex.standin-recipe"}}' "$standin" 2> /dev/null)" = "$standin_recipe" ]; then
    echo "public bases cannot be pulled: using the stand-in $standin made by an earlier run"
  else
    echo "public bases cannot be pulled: making $standin from Debian's packages (debootstrap) ..."
    old_standin="$(docker image inspect -f '{{.Id}}' "$standin" 2> /dev/null || true)"
    command -v debootstrap > /dev/null 2>&1 || apt_install debootstrap
    rootfs="$(mktemp -d /tmp/cortex-dt-rootfs.XXXXXX)"
    chmod 755 "$rootfs" # it becomes the image's /, which every user must be able to enter (mktemp made it 700)
    debootstrap --variant=minbase --include=openjdk-17-jre-headless,curl bookworm "$rootfs" > "$logs/debootstrap.log" 2>&1 \
      || { rm -rf "$rootfs"; tail -20 "$logs/debootstrap.log" >&2; fail "debootstrap failed"; }
    # smaller: the vfs driver copies the whole tree for every layer and every container (apt-get update restores the
    # package lists)
    rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* \
      "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/cache/debconf/*-old
    # an imported tree has no configuration: PATH as Debian's own images set it
    tar -C "$rootfs" -c . | docker import -c "LABEL dev.cortex.standin-recipe=$standin_recipe" \
      -c "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" - "$standin" > /dev/null
    rm -rf "$rootfs"
    if [ -n "$old_standin" ]; then docker rmi "$old_standin" > /dev/null 2>&1 || true; fi
  fi
fi

step "Jars and the image"
# built when missing or older than the sources (as scripts/run.sh decides)
if [ ! -f "$jar" ] || [ ! -f "$sims_jar" ] \
    || [ -n "$(find gateway/src simulators/src pom.xml gateway/pom.xml simulators/pom.xml -newer "$jar" -print -quit)" ]; then
  mvn -B -ntp -q package -DskipTests
fi
build() { # tag, Dockerfile, build arguments...
  local tag=$1 file=$2
  shift 2
  "$bk_docker" build --network host -f "$file" -t "$tag" --build-arg JAR_STAGE=prebuilt "$@" . > "$logs/build-${tag//[\/:]/-}.log" 2>&1 \
    || { tail -30 "$logs/build-${tag//[\/:]/-}.log" >&2; fail "docker build of $file failed"; }
}
build "$image" docker/Dockerfile --build-arg RUNTIME_IMAGE="$runtime_base"
[ "$(docker image inspect -f '{{.Config.User}}' "$image")" = cortex ] || fail "the image does not run as its own user"
[ "$(docker image inspect -f '{{json .Config.ExposedPorts}}' "$image")" = '{"4000/tcp":{}}' ] \
  || fail "the image exposes more than port 4000"

# The JMS probe, compiled here against the jar's Artemis client (a JRE image need not have a compiler)
mkdir -p "$logs/probe"
javac -d "$logs/probe" -cp "$jar" docker/test/JmsProbe.java

# ---------------------------------------------------------------------------------------------------------------
running() { [ "$(docker inspect -f '{{.State.Running}}' "$1" 2> /dev/null)" = true ]; }

# the HTTP status of GET url (000 when nothing answers)
status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" || true; }

wait_status() { # container, url, wanted status, seconds
  local deadline=$((SECONDS + $4)) got
  while :; do
    got="$(status_of "$2")"
    [ "$got" = "$3" ] && return 0
    running "$1" || fail "container $1 stopped (waiting for $3 from $2)"
    [ "$SECONDS" -lt "$deadline" ] || fail "$2 answered $got, not $3, within $4s"
    sleep 1
  done
}

run_cortex() { # name, http port, management port, broker port, more docker run options...
  local name=$1 port=$2 mgmt=$3 broker=$4
  shift 4
  docker run -d --name "$name" --label "$label" --network host \
    -e CORTEX_MASTER_KEY="$key" -e CORTEX_PORT="$port" -e CORTEX_MANAGEMENT_PORT="$mgmt" -e JMS_BROKER_PORT="$broker" \
    -e CORTEX_HEALTH_PERIOD_MS=2000 "$@" > /dev/null || fail "docker run $name failed"
}

# a chat on Ollama's API, streamed; headers and body into files
chat() { # port, headers file, body file, JSON fields before "messages"
  curl -sS -N --max-time 60 -D "$2" -o "$3" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d "{$4\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}" "http://127.0.0.1:$1/api/chat" \
    || fail "the chat on port $1 got no answer"
}
header() { grep -i "^$2:" "$1" | head -1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//'; }

# every provider's health as the admin detail of /api/health reports it, e.g. "cohere=available groq=available"
provider_health() {
  curl -s --max-time 5 -H "Authorization: Bearer $key" "http://127.0.0.1:$1/api/health" | python3 -c '
import json, sys
try:
    providers = json.load(sys.stdin).get("providers", {})
except ValueError:
    providers = {}
print(" ".join(sorted("%s=%s" % (name, p.get("health")) for name, p in providers.items())))'
}

# a JMS client in another container than Cortex's: the simulators' (the same image, so it has the jar's client classes)
jms_probe() { docker exec cortex-dt-sims java -cp /app/cortex.jar:/probe JmsProbe "$@"; }

# ---------------------------------------------------------------------------------------------------------------
step "(a) Cortex with every provider down: /api/health 503, the image's health check (liveness) passes"
docker volume create --label "$label" "$volume" > /dev/null
# Cortex in front of the simulators, its broker's journal on the volume, in the 512 MiB the README recommends; Ollama
# may serve 64 requests at once for the load
gateway=(-v "$volume:/app/data" -e GROQ_API_KEYS=gsk_simulated -e GEMINI_API_KEYS=simulated -e COHERE_API_KEYS=simulated
  -e GROQ_BASE_URL="http://127.0.0.1:$sim_groq/openai/v1" -e GEMINI_BASE_URL="http://127.0.0.1:$sim_gemini/v1beta"
  -e COHERE_BASE_URL="http://127.0.0.1:$sim_cohere" -e OLLAMA_BASE_URL="http://127.0.0.1:$sim_ollama"
  -e OLLAMA_MAX_CONCURRENT=64 --memory 512m "$image")
run_cortex cortex-dt-gateway $cortex_port $cortex_mgmt $cortex_broker "${gateway[@]}"
wait_status cortex-dt-gateway "http://127.0.0.1:$cortex_port/api/health" 503 90
# the image's own HEALTHCHECK command, run as Docker runs it
check="$(docker inspect -f '{{index .Config.Healthcheck.Test 1}}' cortex-dt-gateway)"
docker exec cortex-dt-gateway sh -c "$check" || fail "the health check fails while Cortex runs with no provider: $check"
echo "no provider: /api/health 503, health check ($check) passes"

step "(a) the simulators in their own container (nightmare: Groq 429, Gemini quota, Cohere 503, Ollama answers)"
docker run -d --name cortex-dt-sims --label "$label" --network host -v "$sims_jar:/opt/sims.jar:ro" -v "$logs/probe:/probe:ro" \
  --entrypoint java "$image" -Xmx256m -jar /opt/sims.jar --groq $sim_groq --gemini $sim_gemini --cohere $sim_cohere \
  --ollama $sim_ollama --scenario nightmare --chunk-gap-ms 20 --hold-once "hold across a restart" > /dev/null
wait_status cortex-dt-sims "http://127.0.0.1:$sim_ollama/api/tags" 200 60
deadline=$((SECONDS + 60))
until [ "$(provider_health $cortex_port)" = "cohere=available gemini=available groq=available ollama=available" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "providers not all seen available: $(provider_health $cortex_port)"
  sleep 1
done
wait_status cortex-dt-gateway "http://127.0.0.1:$cortex_port/api/health" 200 10

step "(a) a streamed chat through the fail-over chain"
chat $cortex_port "$logs/a.headers" "$logs/a.body" '"stream":true,'
grep -q '^HTTP/1.1 200' "$logs/a.headers" || fail "streamed chat: $(head -1 "$logs/a.headers")"
attempts="$(header "$logs/a.headers" X-Cortex-Attempts)"
[ "$attempts" = "groq:429,gemini:quota,cohere:503,ollama:ok" ] || fail "attempt trail: '$attempts'"
lines="$(wc -l < "$logs/a.body")"
if [ "$lines" -lt 3 ] || ! tail -1 "$logs/a.body" | grep -q '"done":true'; then fail "stream: $(cat "$logs/a.body")"; fi
echo "200, X-Cortex-Attempts: $attempts, $lines NDJSON lines ending in done:true"

step "(a) the container's health as Docker sees it"
deadline=$((SECONDS + 60))
until [ "$(docker inspect -f '{{.State.Health.Status}}' cortex-dt-gateway)" = healthy ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "not healthy: $(docker inspect -f '{{json .State.Health}}' cortex-dt-gateway)"
  sleep 2
done
echo "healthy"

step "(a) memory under load: 48 clients for 20 s (half streaming), the container's memory sampled"
mem_mib() { # the container's memory use in MiB, as docker stats reports it
  docker stats --no-stream --format '{{.MemUsage}}' "$1" | awk '{
    v = $1; u = v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+$/, "", v);
    printf "%d\n", (u == "GiB" ? v * 1024 : u == "KiB" ? v / 1024 : v) }'
}
idle_mib="$(mem_mib cortex-dt-gateway)"
load_end=$((SECONDS + 20))
client() { # streams or not; counts its answers in a file of its own
  local n=0 stream=$1
  while [ "$SECONDS" -lt "$load_end" ]; do
    curl -s -o /dev/null --max-time 30 -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
      -d "{\"stream\":$stream,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about load number $n\"}]}" \
      -w '%{http_code}\n' "http://127.0.0.1:$cortex_port/api/chat" >> "$logs/load.$BASHPID"
    n=$((n + 1))
  done
}
clients=()
for i in $(seq 1 48); do
  client "$([ $((i % 2)) -eq 0 ] && echo true || echo false)" &
  clients+=($!)
done
peak=0
while [ "$SECONDS" -lt "$load_end" ]; do
  m="$(mem_mib cortex-dt-gateway)"
  [ "$m" -gt "$peak" ] && peak=$m
  sleep 1
done
wait "${clients[@]}" # the clients only: an engine this test started is a child of this shell too
answered="$(cat "$logs"/load.* | grep -c '^200$' || true)"
total="$(cat "$logs"/load.* | wc -l)"
running cortex-dt-gateway || fail "Cortex died under load: $(docker inspect -f 'OOMKilled={{.State.OOMKilled}} exit={{.State.ExitCode}}' cortex-dt-gateway)"
after="$(mem_mib cortex-dt-gateway)"
rss="$(docker exec cortex-dt-gateway sh -c "grep VmRSS /proc/1/status" | awk '{printf "%d", $2 / 1024}')"
echo "memory: idle ${idle_mib} MiB, peak ${peak} MiB under load, ${after} MiB after (JVM RSS ${rss} MiB);" \
  "${answered} of ${total} requests answered 200; JAVA_OPTS: $(docker exec cortex-dt-gateway sh -c 'echo $JAVA_OPTS')"
[ "$answered" -eq "$total" ] || fail "under load, $((total - answered)) requests were not answered 200"

# ---------------------------------------------------------------------------------------------------------------
step "(b) a JMS request from another container to the embedded broker"
jms_probe request "tcp://127.0.0.1:$cortex_broker" "Hello over JMS" 60 > "$logs/b.out" 2>&1 \
  || { cat "$logs/b.out" >&2; fail "JMS request-reply"; }
grep -q "CortexStatus=200 CortexProvider=ollama CortexAttempts=" "$logs/b.out" || fail "JMS reply: $(cat "$logs/b.out")"
grep "CortexStatus" "$logs/b.out" | sed 's/^/reply: /'

# ---------------------------------------------------------------------------------------------------------------
step "(c) a JMS request in flight while the container stops: a new container on the same volume answers it"
ollama_calls() { curl -s "http://127.0.0.1:$sim_ollama/_sim/stats" | sed -n 's/.*"chat_calls":\([0-9]*\).*/\1/p'; }
before="$(ollama_calls)"
id="restart-$RANDOM$RANDOM"
# the Ollama simulator holds this prompt's first request unanswered; a redelivery is answered
jms_probe send "tcp://127.0.0.1:$cortex_broker" cortex.replies.docker-test "$id" \
  "Please hold across a restart ($id)" > "$logs/c.send" 2>&1 || { cat "$logs/c.send" >&2; fail "JMS send"; }
deadline=$((SECONDS + 30))
until [ "$(ollama_calls)" -gt "$before" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "the request did not reach Ollama"
  sleep 0.5
done
# Docker's own stop: SIGTERM, and SIGKILL after 10 s, while Camel would drain the request for up to 45 s
stopping=$SECONDS
docker stop cortex-dt-gateway > /dev/null
echo "request held at Ollama; docker stop took $((SECONDS - stopping))s (exit $(docker inspect -f '{{.State.ExitCode}}' cortex-dt-gateway))"
docker logs cortex-dt-gateway > "$logs/c.gateway-before.log" 2>&1
docker rm -v cortex-dt-gateway > /dev/null
run_cortex cortex-dt-gateway $cortex_port $cortex_mgmt $cortex_broker "${gateway[@]}"
wait_status cortex-dt-gateway "http://127.0.0.1:$cortex_port/api/health" 200 90
jms_probe receive "tcp://127.0.0.1:$cortex_broker" cortex.replies.docker-test "$id" 60 \
  > "$logs/c.out" 2>&1 || { cat "$logs/c.out" >&2; fail "no answer to the request after the restart"; }
grep -q "CortexStatus=200 CortexProvider=ollama" "$logs/c.out" || fail "reply after the restart: $(cat "$logs/c.out")"
grep "CortexStatus" "$logs/c.out" | sed 's/^/reply after the restart: /'

# ---------------------------------------------------------------------------------------------------------------
step "(d) docker-compose: the Ollama simulator for the ollama service, Cortex waits for it and serves a chat"
compose=(env PATH="$logs/bin:$PATH" CORTEX_MASTER_KEY="$key" CORTEX_PORT="$compose_port" DT_IMAGE="$image"
  DT_SIMS_JAR="$sims_jar" DT_RUNTIME_IMAGE="$runtime_base" DT_COMPOSE_IMAGE="$compose_image"
  docker-compose -p "$project" -f docker/docker-compose.yml -f docker/test/docker-compose.test.yml)
compose_up=true
"${compose[@]}" up -d --build > "$logs/compose-up.log" 2>&1 || { tail -30 "$logs/compose-up.log" >&2; fail "compose up"; }
cortex_c="$("${compose[@]}" ps -q cortex)"
ollama_c="$("${compose[@]}" ps -q ollama)"
[ "$(docker inspect -f '{{.State.Health.Status}}' "$ollama_c")" = healthy ] || fail "compose started Cortex before Ollama was healthy"
wait_status "$cortex_c" "http://127.0.0.1:$compose_port/api/health" 200 90
chat $compose_port "$logs/d.headers" "$logs/d.body" '"stream":true,'
if ! grep -q '^HTTP/1.1 200' "$logs/d.headers" || [ "$(header "$logs/d.headers" X-Cortex-Provider)" != ollama ]; then
  fail "compose chat: $(cat "$logs/d.headers")"
fi
echo "chat on the published port answered by $(header "$logs/d.headers" X-Cortex-Provider) at http://ollama:11434 ($(header "$logs/d.headers" X-Cortex-Model))"
"${compose[@]}" down -v > "$logs/compose-down.log" 2>&1 || { cat "$logs/compose-down.log" >&2; fail "compose down"; }
compose_up=false
left="$(docker ps -aq --filter "label=com.docker.compose.project=$project")"
left+="$(docker volume ls -q --filter "label=com.docker.compose.project=$project")"
left+="$(docker network ls -q --filter "label=com.docker.compose.project=$project")"
[ -z "$left" ] || fail "compose down -v left containers, volumes or networks: $left"
echo "down -v: no container, volume or network left"

# ---------------------------------------------------------------------------------------------------------------
step "(f) docker-compose, cluster: two replicas and Redis; a key's limit holds across both"
build "$redis_image" docker/test/Dockerfile.redis --build-arg BASE="$runtime_base"
compose=(env PATH="$logs/bin:$PATH" CORTEX_MASTER_KEY="$key" CORTEX_PORT_A="$cluster_a" CORTEX_PORT_B="$cluster_b"
  DT_IMAGE="$image" DT_SIMS_JAR="$sims_jar" DT_COMPOSE_IMAGE="$compose_image" DT_REDIS_IMAGE="$redis_image"
  docker-compose -p "$project" -f docker/docker-compose.cluster.yml -f docker/test/docker-compose.cluster.test.yml)
compose_up=true
"${compose[@]}" up -d > "$logs/cluster-up.log" 2>&1 || { tail -30 "$logs/cluster-up.log" >&2; fail "cluster compose up"; }
wait_status "$("${compose[@]}" ps -q cortex-a)" "http://127.0.0.1:$cluster_a/api/health" 200 90
wait_status "$("${compose[@]}" ps -q cortex-b)" "http://127.0.0.1:$cluster_b/api/health" 200 90
# 8 chats, alternately to each replica, under a default limit of 4 a minute: 4 answered in all, 4 refused
codes=""
for i in 1 2 3 4 5 6 7 8; do
  port=$([ $((i % 2)) -eq 0 ] && echo "$cluster_b" || echo "$cluster_a")
  codes+="$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' -d '{"stream":false,"messages":[{"role":"user","content":"Say hello"}]}' \
    "http://127.0.0.1:$port/api/chat") "
done
if [ "$(tr ' ' '\n' <<< "$codes" | grep -c '^200$')" != 4 ] || [ "$(tr ' ' '\n' <<< "$codes" | grep -c '^429$')" != 4 ]; then
  fail "the limit of 4 a minute did not hold across the replicas: $codes"
fi
store="$(curl -s --max-time 5 -H "Authorization: Bearer $key" "http://127.0.0.1:$cluster_b/api/health" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["limits"]["store"])')"
[ "$store" = redis ] || fail "replica b keeps its limits in '$store', not redis"
echo "statuses alternating a/b: $codes(4 answered in all); limits kept in $store"
"${compose[@]}" down -v > "$logs/cluster-down.log" 2>&1 || { cat "$logs/cluster-down.log" >&2; fail "cluster compose down"; }
compose_up=false

# ---------------------------------------------------------------------------------------------------------------
step "(e) the all-in-one image: its entrypoint starts a stand-in ollama, pulls OLLAMA_MODELS, hands over to Cortex"
build "$aio_image" docker/Dockerfile.all-in-one --build-arg OLLAMA_IMAGE="$ollama_base"
run_cortex cortex-dt-all-in-one $aio_port $aio_mgmt $aio_broker \
  -v "$repo/docker/test/ollama:/usr/local/bin/ollama:ro" -v "$sims_jar:/opt/sims.jar:ro" \
  -e OLLAMA_HOST="127.0.0.1:$aio_ollama" -e OLLAMA_BASE_URL="http://127.0.0.1:$aio_ollama" \
  -e OLLAMA_MODELS=llama3.2,tinyllama -e OLLAMA_SIM_PULLABLE=tinyllama "$aio_image"
wait_status cortex-dt-all-in-one "http://127.0.0.1:$aio_port/api/health" 200 120
docker logs cortex-dt-all-in-one > "$logs/e.log" 2>&1
if ! grep -q "Model llama3.2 is already installed" "$logs/e.log" || ! grep -q "Pulling tinyllama" "$logs/e.log"; then
  fail "the entrypoint did not pull only the missing model: $(head -20 "$logs/e.log")"
fi
chat $aio_port "$logs/e.headers" "$logs/e.body" '"model":"tinyllama",'
[ "$(header "$logs/e.headers" X-Cortex-Model)" = tinyllama:latest ] || fail "all-in-one chat: $(cat "$logs/e.headers")"
echo "llama3.2 already there, tinyllama pulled; chat answered by $(header "$logs/e.headers" X-Cortex-Provider) with tinyllama:latest"
stopping=$SECONDS
docker stop -t 60 cortex-dt-all-in-one > /dev/null
docker logs cortex-dt-all-in-one > "$logs/e.log" 2>&1
grep -q "(cortex) shutdown in" "$logs/e.log" || fail "Cortex did not shut down cleanly: $(tail -20 "$logs/e.log")"
# 143: Cortex's own exit after SIGTERM, passed on by the entrypoint (137 would be Docker's SIGKILL)
exit_code="$(docker inspect -f '{{.State.ExitCode}}' cortex-dt-all-in-one)"
[ "$exit_code" = 143 ] || fail "the all-in-one container ended with $exit_code, not Cortex's 143"
echo "stopped in $((SECONDS - stopping))s: Cortex shut down, then the entrypoint ended (exit $exit_code)"

step "all passed"
