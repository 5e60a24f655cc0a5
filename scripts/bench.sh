#!/usr/bin/env bash
# What Cortex adds on top of the provider, measured: the same requests directly against a provider simulator and
# through Cortex, interleaved in one run, reported as differences and ratios. Loopback only; every load is bounded.
#   scripts/bench.sh           full run (about 6 minutes)
#   scripts/bench.sh --smoke   the script end to end in seconds (correctness, not speed)
# Results: bench/results/latest.md and .json (and a timestamped copy).
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=false
[ "${1:-}" = "--smoke" ] && smoke=true
if $smoke; then dur=1; streams=200; seq=10; else dur=8; streams=10000; seq=100; fi

command -v wrk > /dev/null || { echo "Installing wrk (Debian package) ..."; apt-get update -qq > /dev/null; apt-get install -y -qq wrk > /dev/null; }
jar=gateway/target/cortex-0.1.0-SNAPSHOT.jar
sims=simulators/target/cortex-simulators-0.1.0-SNAPSHOT-all.jar
if [ ! -f "$jar" ] || [ ! -f "$sims" ] || [ -n "$(find gateway/src simulators/src pom.xml gateway/pom.xml simulators/pom.xml -newer "$jar" -print -quit)" ]; then
  mvn -B -ntp -q package -DskipTests
fi
mkdir -p target/bench bench/results
javac -cp "$sims" -d target/bench bench/StreamBench.java
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# Cortex runs with the JVM options a user gets from scripts/run.sh (scripts/java-options.sh), so its memory rows are
# those of the default settings
# shellcheck source=scripts/java-options.sh
. scripts/java-options.sh
read -r -a java_opts <<< "$CORTEX_DEFAULT_JAVA_OPTS"
SIM=127.0.0.1:9301; OLLAMA=127.0.0.1:9304; CX=127.0.0.1:4400
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# one simulator process; the model asked for picks the upstream's behaviour (profiles). bench-silent answers its first
# $silent_warm requests in 50 ms, then says nothing: Cortex learns a provider's first-token times per model, so the
# silence must come under the model name its times were measured with.
silent_warm=30
java -Xmx1g -jar "$sims" --groq 9301 --ollama 9304 --scenario healthy \
  --reply "one two three four five six seven eight" \
  --profiles "bench-50ms:50:0:8,bench-paced:0:20:20,bench-long:0:500:20,bench-429:0:0:8:429:0,bench-503:0:0:8:503,bench-silent:50:0:8:silence-after:$silent_warm,bench-tail:20:0:8:slow-every:50:1000" \
  > "$work/sim.log" 2>&1 &
pids+=($!)
# Cortex reaches the simulated Groq over h2c (the simulators serve it beside HTTP/1.1), as it reaches a TLS provider
# that offers h2: its calls share connections, which the streams run's "sockets per open stream" shows. The bound on
# those connections is what the streams need at 100 each, plus a margin: with GROQ_MAX_CONCURRENT=20000 the derived
# bound (200) lets the opening burst of streams open connections it then barely uses, and slows first tokens
export GROQ_HTTP2=h2c
h2_connections=$((streams / 100 + 10))
GROQ_API_KEYS=gsk_bench_not_a_real_key GROQ_BASE_URL="http://$SIM/openai/v1" OLLAMA_BASE_URL="http://$OLLAMA" \
GROQ_MODELS="llama-3.1-8b-instant,bench-50ms,bench-paced,bench-long,bench-429,bench-503,bench-silent,bench-tail" \
CORTEX_HEDGING_STRATEGIES=speed_first \
GROQ_MAX_CONCURRENT=20000 OLLAMA_MAX_CONCURRENT=20000 CORTEX_MAX_QUEUED_REQUESTS=20000 CORTEX_PORT=4400 CORTEX_MANAGEMENT_PORT=9877 JMS_ENABLED=false \
  java "${java_opts[@]}" -Dcortex.upstream.max-connections=12000 -Dprovider.groq.http2-max-connections="$h2_connections" \
  -Dcamel.main.routes-reload-enabled=false -jar "$jar" > "$work/cortex.log" 2>&1 &
cortex=$!
pids+=("$cortex")
for _ in $(seq 1 120); do curl -fs "http://$CX/api/health" > /dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://$CX/api/health" > /dev/null || { tail -30 "$work/cortex.log"; echo "Cortex did not start" >&2; exit 1; }

rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$cortex/status"; }
hwm() { awk '/VmHWM/ {print int($2/1024)}' "/proc/$cortex/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$cortex/stat"; }
body() { printf '{"model":"%s","stream":%s,"messages":[{"role":"user","content":"bench"}]%s}' "$1" "$2" "${3:-}"; }
# wrk: prints "p50_ms p99_ms req_per_s requests"
run_wrk() { # url connections seconds body
  local threads=$(( $2 < 2 ? 1 : 2 ))
  BODY="$4" wrk -t"$threads" -c"$2" -d"$3"s --latency -s bench/post.lua "$1" > "$work/wrk.out" 2>&1 || true
  python3 - "$work/wrk.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(v, u): return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[u]
p = dict((k, ms(v, u)) for k, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)", t, re.M))
rps = re.search(r"Requests/sec:\s+([\d.]+)", t); n = re.search(r"(\d+) requests in", t)
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print(p.get("50", -1), p.get("99", -1), rps.group(1) if rps else -1, n.group(1) if n else 0, bad.group(1) if bad else 0)
PY
}
direct_url="http://$SIM/openai/v1/chat/completions"; cortex_url="http://$CX/v1/chat/completions"
sim_calls() { curl -fs "http://$SIM/_sim/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["chat_calls"])'; }
sim_connections() { curl -fs "http://$SIM/_sim/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["connections"])'; }
# Cortex's open sockets: its callers', its upstream connections, its listeners
sockets() { find "/proc/$cortex/fd" -lname 'socket:*' 2> /dev/null | wc -l; }

results="$work/results.txt"; : > "$results"
put() { echo "$1=$2" >> "$results"; }
sleep 1; put rss_idle_mb "$(rss)"

echo "warming up ..."
run_wrk "$direct_url" 4 "$dur" "$(body llama-3.1-8b-instant false)" > /dev/null
run_wrk "$cortex_url" 4 "$((dur * 2))" "$(body llama-3.1-8b-instant false)" > /dev/null

echo "latency, instant upstream ..."
for c in 1 16 64; do
  read -r d50 d99 drps _ _ <<< "$(run_wrk "$direct_url" "$c" "$dur" "$(body llama-3.1-8b-instant false)")"
  read -r x50 x99 xrps _ xbad <<< "$(run_wrk "$cortex_url" "$c" "$dur" "$(body llama-3.1-8b-instant false)")"
  put "lat_c${c}" "$d50 $d99 $x50 $x99 $drps $xrps $xbad"
done

echo "saturation ..."
read -r _ _ drps _ _ <<< "$(run_wrk "$direct_url" 64 "$dur" "$(body llama-3.1-8b-instant false)")"
t0=$(cpu_ticks)
read -r _ _ xrps xn xbad <<< "$(run_wrk "$cortex_url" 64 "$dur" "$(body llama-3.1-8b-instant false)")"
t1=$(cpu_ticks)
put saturation "$drps $xrps $xn $((t1 - t0)) $(getconf CLK_TCK) $xbad"

echo "50 ms upstream ..."
for c in 64 256 1024; do
  read -r _ _ drps _ _ <<< "$(run_wrk "$direct_url" "$c" "$dur" "$(body bench-50ms false)")"
  read -r _ _ xrps _ xbad <<< "$(run_wrk "$cortex_url" "$c" "$dur" "$(body bench-50ms false)")"
  put "slow_c${c}" "$drps $xrps $xbad"
done

echo "streaming time to first token ..."
d=$(java -cp "$sims:target/bench" StreamBench ttft "$direct_url" "$(body bench-paced true)" "$seq")
x=$(java -cp "$sims:target/bench" StreamBench ttft "$cortex_url" "$(body bench-paced true)" "$seq")
put ttft "$d|$x"

echo "$streams concurrent 10-second streams ..."
marker="$work/open"
java -Xss256k -Dopen.marker="$marker" -cp "$sims:target/bench" StreamBench streams "$cortex_url" "$(body bench-long true)" \
  "$streams" 60 > "$work/streams.json" &
bench_pid=$!
open_rss=-1; open_sockets=-1; upstream_connections=-1
for _ in $(seq 1 1200); do
  [ -f "$marker" ] && { open_rss=$(rss); open_sockets=$(sockets); upstream_connections=$(sim_connections); break; }
  sleep 0.05
done
wait "$bench_pid" || true
put streams "$(cat "$work/streams.json")|$open_rss"
put stream_sockets "$open_sockets $upstream_connections"
# A provider that accepts the request and then says nothing: after $silent_warm answers in 50 ms (more than
# cortex.timeouts.adaptive.min-samples), Groq's first-token clock for bench-silent has adapted to its floor, far below
# the configured 15 s; the next request meets silence and is answered by Ollama. Measured once: that timeout doubles
# the model's next clock, so a second silent request would measure the back-off, not the adapted clock.
echo "silent provider ..."
curl -fs -X POST "http://$CX/api/providers/groq/restore" > /dev/null
warm_bad=0
for _ in $(seq 1 "$silent_warm"); do
  a=$(curl -s -o /dev/null -D - -H 'Content-Type: application/json' -d "$(body bench-silent false ',"providers":["groq","ollama"]')" "$cortex_url" \
    | tr -d '\r' | awk -F': ' 'tolower($1) == "x-cortex-attempts" {print $2}')
  [ "$a" = "groq:ok" ] || warm_bad=$((warm_bad + 1))
done
silent_clock=$(curl -fs "http://$CX/api/health" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["providers"]["groq"]["latency_ms"]["first_token_timeout"]["models"].get("bench-silent", {}).get("effective", -1))')
read -r silent_s silent_attempts <<< "$(curl -s -o /dev/null -D "$work/silent.head" -w '%{time_total}' -H 'Content-Type: application/json' \
  -d "$(body bench-silent false ',"providers":["groq","ollama"]')" "$cortex_url"; echo " $(tr -d '\r' < "$work/silent.head" | awk -F': ' 'tolower($1) == "x-cortex-attempts" {print $2}')")"
put silent "$silent_s ${silent_attempts:-none} $silent_clock $warm_bad"

# Hedging against a heavy tail: bench-tail's first token takes 20 ms, but one call in 50 takes a second more. The same
# requests, Groq then Ollama, first with a strategy that is not hedged (hybrid), then with one that is (speed_first,
# CORTEX_HEDGING_STRATEGIES above): the p99 saved, and the extra calls hedging made (cortex_hedges_total).
echo "hedging ..."
hedges() { curl -fs "http://$CX/metrics" | awk '$1 == "cortex_hedges_total{provider=\"groq\"}" {print $2}'; }
curl -fs -X POST "http://$CX/api/providers/groq/restore" > /dev/null
read -r u50 u99 _ un ubad <<< "$(run_wrk "$cortex_url" 4 "$((dur * 2))" "$(body bench-tail false ',"strategy":"hybrid","providers":["groq","ollama"]')")"
h0=$(hedges)
read -r h50 h99 _ hn hbad <<< "$(run_wrk "$cortex_url" 4 "$((dur * 2))" "$(body bench-tail false ',"strategy":"speed_first","providers":["groq","ollama"]')")"
h1=$(hedges)
put hedging "$u50 $u99 $un $h50 $h99 $hn ${h0:-0} ${h1:-0} $ubad $hbad"

# last: the 503 run opens Groq's breaker (first, undo what the long streams and the silence did to it)
echo "fail-over hop ..."
curl -fs -X POST "http://$CX/api/providers/groq/restore" > /dev/null
read -r a50 _ _ _ _ <<< "$(run_wrk "$cortex_url" 1 "$dur" "$(body llama3.2 false ',"provider":"ollama"')")"
g0=$(sim_calls)
read -r b50 _ _ bn bbad <<< "$(run_wrk "$cortex_url" 1 "$dur" "$(body bench-429 false ',"providers":["groq","ollama"]')")"
g1=$(sim_calls)
read -r _ _ _ on obad <<< "$(run_wrk "$cortex_url" 1 "$dur" "$(body bench-503 false ',"providers":["groq","ollama"]')")"
g2=$(sim_calls)
read -r o50 _ _ on2 _ <<< "$(run_wrk "$cortex_url" 1 "$dur" "$(body bench-503 false ',"providers":["groq","ollama"]')")"
g3=$(sim_calls)
put failover "$a50 $b50 $bn $((g1 - g0)) $on $((g2 - g1)) $o50 $on2 $((g3 - g2)) $bbad $obad"
# the same fail-over (Groq answering 429, Ollama answering) under concurrency: every request must be answered
curl -fs -X POST "http://$CX/api/providers/groq/restore" > /dev/null
for c in 16 64; do
  read -r _ _ _ fn fbad <<< "$(run_wrk "$cortex_url" "$c" "$dur" "$(body bench-429 false ',"providers":["groq","ollama"]')")"
  put "failover_c${c}" "$fn $fbad"
done

put rss_peak_mb "$(hwm)"
kill "$cortex" 2>/dev/null; wait "$cortex" 2>/dev/null || true

# The keys' limit check: one Cortex with two gateway keys, the same but for limits (one has none, one has limits high
# enough never to refuse), each sent the same requests at one connection, alternately; the difference of their p50s
# is what the check adds. Once with the embedded store, once with Redis on loopback (cluster mode). The check's own
# time, as Cortex measures it (cortex_limits_check_seconds), is read from /metrics after each.
echo "limit check ..."
command -v redis-server > /dev/null || { echo "Installing redis-server (Debian package) ..."; apt-get update -qq > /dev/null; apt-get install -y -qq --no-install-recommends redis-server > /dev/null; }
sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
cat > "$work/keys.yaml" <<KEYS
keys:
  - name: bench-plain
    sha256: $(sha bench-plain-key)
  - name: bench-limited
    sha256: $(sha bench-limited-key)
    requests-per-minute: 2000000000
    tokens-per-minute: 2000000000
    budget-per-day: 1000000
    budget-per-month: 10000000
KEYS
LX=127.0.0.1:4401
limits_url="http://$LX/v1/chat/completions"
rounds=$($smoke && echo 1 || echo 3)
limit_run() { # label, then extra environment for the Cortex measured
  local label=$1; shift
  env "$@" CORTEX_KEYS_FILE="$work/keys.yaml" CORTEX_MASTER_KEY=bench-master-key CORTEX_LIMITS_DATA_DIR="$work/limits-$label" \
    GROQ_API_KEYS=gsk_bench_not_a_real_key GROQ_BASE_URL="http://$SIM/openai/v1" OLLAMA_BASE_URL="http://$OLLAMA" \
    CORTEX_PORT=4401 CORTEX_MANAGEMENT_PORT=9878 JMS_ENABLED=false \
    java "${java_opts[@]}" -Dcamel.main.routes-reload-enabled=false -jar "$jar" \
    > "$work/cortex-$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 120); do curl -fs "http://$LX/api/health" > /dev/null 2>&1 && break; sleep 0.5; done
  curl -fs "http://$LX/api/health" > /dev/null || { tail -30 "$work/cortex-$label.log"; echo "Cortex ($label) did not start" >&2; exit 1; }
  KEY=bench-limited-key run_wrk "$limits_url" 4 "$dur" "$(body llama-3.1-8b-instant false)" > /dev/null # warm-up
  local plain="" limited="" bad=0 p l b
  for _ in $(seq 1 "$rounds"); do
    read -r p _ _ _ b <<< "$(KEY=bench-plain-key run_wrk "$limits_url" 1 "$dur" "$(body llama-3.1-8b-instant false)")"
    plain="$plain $p"; bad=$((bad + ${b%.*}))
    read -r l _ _ _ b <<< "$(KEY=bench-limited-key run_wrk "$limits_url" 1 "$dur" "$(body llama-3.1-8b-instant false)")"
    limited="$limited $l"; bad=$((bad + ${b%.*}))
  done
  local own
  own=$(curl -fs -H "Authorization: Bearer bench-master-key" "http://$LX/metrics" \
    | awk '/^cortex_limits_check_seconds\{.*quantile="0.5"/ {print $2 * 1000}')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  put "limits_$label" "$(python3 -c 'import statistics,sys; a,b=sys.argv[1].split(),sys.argv[2].split(); print(statistics.median(map(float,a)), statistics.median(map(float,b)))' "$plain" "$limited") ${own:--1} $bad"
}
limit_run embedded
redis-server --port 6399 --bind 127.0.0.1 --save "" --appendonly no > "$work/redis.log" 2>&1 &
redis_pid=$!
pids+=("$redis_pid")
for _ in $(seq 1 50); do redis-cli -p 6399 ping > /dev/null 2>&1 && break; sleep 0.1; done
limit_run redis CORTEX_REDIS_URL=redis://127.0.0.1:6399

stamp=$(date -u +%Y%m%dT%H%M%SZ)
python3 - "$results" "bench/results" "$stamp" "$smoke" <<'PY'
import json, sys
raw = dict(l.rstrip("\n").split("=", 1) for l in open(sys.argv[1]) if "=" in l)
out, stamp, smoke = sys.argv[2], sys.argv[3], sys.argv[4] == "true"
f = lambda s: [float(x) for x in s.split()]
rows, data = [], {"when": stamp, "smoke": smoke}
def row(name, direct, cortex, diff, ratio, target, met):
    # a row without a target is a measurement, not a verdict
    verdict = "" if not target else ("met" if met else "MISSED")
    rows.append(f"| {name} | {direct} | {cortex} | {diff} | {ratio} | {target} | {verdict} |")
for c in (1, 16, 64):
    d50, d99, x50, x99, drps, xrps, bad = f(raw[f"lat_c{c}"])
    data[f"latency_c{c}"] = dict(direct_p50_ms=d50, direct_p99_ms=d99, cortex_p50_ms=x50, cortex_p99_ms=x99, errors=bad)
    row(f"p50 latency, {c} conn (ms)", f"{d50:.3f}", f"{x50:.3f}", f"+{x50 - d50:.3f}", f"{x50 / d50:.2f}",
        "added ≤ 0.5 ms" if c == 1 else "", (x50 - d50 <= 0.5) if c == 1 else True)
    row(f"p99 latency, {c} conn (ms)", f"{d99:.3f}", f"{x99:.3f}", f"+{x99 - d99:.3f}", f"{x99 / d99:.2f}",
        "added ≤ 5 ms" if c == 64 else "", (x99 - d99 <= 5) if c == 64 else True)
drps, xrps, xn, ticks, hz, bad = f(raw["saturation"])
cpu_ms = ticks / hz * 1000 / max(xn, 1)
data["saturation"] = dict(direct_rps=drps, cortex_rps=xrps, cortex_cpu_ms_per_request=cpu_ms, errors=bad)
row("saturation (req/s, 64 conn)", f"{drps:.0f}", f"{xrps:.0f}", "", f"{xrps / drps:.2f}", "", True)
row("Cortex CPU per request (ms)", "", f"{cpu_ms:.3f}", "", "", "≤ 0.15 ms", cpu_ms <= 0.15)
for c, share in ((64, None), (256, 0.95), (1024, 0.90)):
    drps, xrps, bad = f(raw[f"slow_c{c}"])
    ideal = c / 0.05
    data[f"upstream_50ms_c{c}"] = dict(ideal_rps=ideal, direct_rps=drps, cortex_rps=xrps, cortex_share=xrps / ideal, errors=bad)
    row(f"50 ms upstream, {c} conn (req/s)", f"{drps:.0f} ({drps / ideal:.0%})", f"{xrps:.0f} ({xrps / ideal:.0%})",
        "", f"{xrps / drps:.2f}", f"≥ {share:.0%} of ideal" if share else "", (xrps / ideal >= share and bad == 0) if share else True)
d, x = (json.loads(s) for s in raw["ttft"].split("|"))
added = (x["ttft_p50_us"] - d["ttft_p50_us"]) / 1000
share = x["ttft_p50_us"] / x["total_p50_us"]
data["streaming"] = dict(direct=d, cortex=x, added_ttft_ms=added, cortex_ttft_over_total=share)
row("time to first token, p50 (ms)", f"{d['ttft_p50_us'] / 1000:.3f}", f"{x['ttft_p50_us'] / 1000:.3f}", f"+{added:.3f}",
    "", "added ≤ 1 ms", added <= 1)
row("TTFT / total (20 chunks, 20 ms apart)", f"{d['ttft_p50_us'] / d['total_p50_us']:.3f}", f"{share:.3f}", "", "", "≤ 0.05", share <= 0.05)
a50, b50, bn, g429, on, g503, o50, on2, gopen, bbad, obad = f(raw["failover"])
hop = b50 - a50
data["failover"] = dict(ollama_only_p50_ms=a50, groq_429_then_ollama_p50_ms=b50, hop_ms=hop, requests=bn,
                        groq_calls_429=g429, breaker_opening_requests=on, groq_calls_while_opening=g503,
                        breaker_open_requests=on2, groq_calls_breaker_open=gopen, breaker_open_p50_ms=o50, errors=bbad + obad)
row("fail-over hop: 429 then Ollama (ms)", f"{a50:.3f}", f"{b50:.3f}", f"+{hop:.3f}", "", "≤ 0.3 ms", hop <= 0.3)
row("groq calls: 429 run / breaker opening / open", "", f"{g429:.0f} of {bn:.0f} / {g503:.0f} of {on:.0f} / {gopen:.0f} of {on2:.0f}",
    "", "", "open: 0", gopen == 0)
under_load = [(1, bn, bbad)] + [(c, *f(raw[f"failover_c{c}"])) for c in (16, 64)]
data["failover_under_load"] = [dict(connections=c, requests=n, non_2xx=bad) for c, n, bad in under_load]
row("fail-over non-2xx at 1 / 16 / 64 conn", "", " / ".join(f"{bad:.0f} of {n:.0f}" for _, n, bad in under_load),
    "", "", "0", all(bad == 0 for _, _, bad in under_load))
silent_s, silent_attempts, silent_clock, warm_bad = raw["silent"].split()
silent_ms = float(silent_s) * 1000
data["silent_provider"] = dict(time_to_answer_ms=silent_ms, attempts=silent_attempts,
                               adapted_first_token_timeout_ms=float(silent_clock), warm_up_not_groq=int(warm_bad))
row("silent provider: time to fail over (ms)", "", f"{silent_ms:.0f} ({silent_attempts}; Groq's clock {float(silent_clock):.0f} ms,"
    f" configured 15000)", "", "", "≤ 3000 ms",
    silent_ms <= 3000 and silent_attempts == "groq:timeout,ollama:ok" and int(warm_bad) == 0)
u50, u99, un, h50, h99, hn, h0, h1, ubad, hbad = f(raw["hedging"])
extra = (h1 - h0) / max(hn, 1)
data["hedging"] = dict(unhedged_p50_ms=u50, unhedged_p99_ms=u99, unhedged_requests=un, hedged_p50_ms=h50,
                       hedged_p99_ms=h99, hedged_requests=hn, extra_calls=h1 - h0, extra_call_share=extra,
                       errors=ubad + hbad)
# a measurement, no target: what hedging saves at the tail and what it costs in calls
row("hedging, 1 in 50 first tokens +1 s: p99 (ms)", f"{u99:.1f} (not hedged)", f"{h99:.1f} (hedged)",
    f"{h99 - u99:+.1f}", f"{h99 / u99:.2f}", "", True)
row("hedging: p50 (ms) / extra calls", f"{u50:.2f}", f"{h50:.2f} / {h1 - h0:.0f} of {hn:.0f} ({extra:.1%})",
    "", "", "", True)
s, open_rss = raw["streams"].rsplit("|", 1)
s = json.loads(s); open_rss = int(open_rss)
data["streams"] = dict(s, cortex_rss_open_mb=open_rss)
ok = s["all_first_tokens"] and s["completed"] == s["n"] and 0 < open_rss <= 512
row(f"{s['n']} open 10 s streams", "", f"{s['completed']} completed, TTFT p50 {s['ttft_p50_us'] / 1000:.1f} ms, "
    f"p99 {s['ttft_p99_us'] / 1000:.1f} ms, RSS {open_rss} MiB", "", "", "all, RSS ≤ 512 MiB", ok)
open_sockets, upstream = f(raw["stream_sockets"])
per_stream = open_sockets / s["n"]
data["streams"].update(cortex_open_sockets=open_sockets, upstream_connections=upstream, sockets_per_open_stream=per_stream)
# over HTTP/1.1 each stream holds a caller's socket and an upstream connection (2.0); over h2c the upstream ones are few
row("sockets per open stream (Groq over h2c)", "", f"{per_stream:.3f} ({open_sockets:.0f} sockets, {upstream:.0f} upstream "
    f"connections, {s['n']} streams)", "", "", "≤ 1.1", 0 < per_stream <= 1.1)
for label, name, target in (("embedded", "embedded store", 0.1), ("redis", "Redis on loopback", 0.5)):
    plain, limited, own, bad = f(raw[f"limits_{label}"])
    added = limited - plain
    data[f"limit_check_{label}"] = dict(no_limits_p50_ms=plain, limits_p50_ms=limited, added_p50_ms=added,
                                        check_p50_ms=own, non_2xx=bad)
    row(f"limit check, {name}: p50, 1 conn (ms)", f"{plain:.3f} (key without limits)", f"{limited:.3f}",
        f"+{added:.3f}", "", f"added ≤ {target} ms", added <= target and bad == 0)
    row(f"limit check, {name}: its own p50 (ms)", "", f"{own:.3f}", "", "", "", True)
data["rss_idle_mb"], data["rss_peak_mb"] = int(raw["rss_idle_mb"]), int(raw["rss_peak_mb"])
row("Cortex RSS idle / peak (MiB), run.sh's JVM options", "", f"{raw['rss_idle_mb']} / {raw['rss_peak_mb']}", "", "",
    "peak ≤ 512 MiB", int(raw["rss_peak_mb"]) <= 512)
table = "\n".join(["| measure | direct | through Cortex | added | ratio | target | |", "|---|---|---|---|---|---|---|"] + rows)
head = f"Benchmark {stamp}{' (SMOKE: tiny counts, figures mean nothing)' if smoke else ''}, loopback, 2 cores\n\n"
for name in ((f"bench-{stamp}", "latest") if not smoke else ("smoke",)):
    open(f"{out}/{name}.md", "w").write(head + table + "\n")
    json.dump(data, open(f"{out}/{name}.json", "w"), indent=2)
print(head + table)
PY
