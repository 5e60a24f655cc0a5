#!/usr/bin/env bash
# The soak: Cortex in front of simulated providers that fail at random, under a steady mixed load for a long time.
# Checks that every request is answered or refused explicitly (never dropped, cut silently or left hanging), every
# JMS request answered exactly once, and that Cortex's memory, threads and open files do not grow. Loopback only.
#   scripts/soak.sh [--minutes N]   a real run (default 30 minutes)
#   scripts/soak.sh --smoke         one minute, for CI (its figures say the script works, not that nothing leaks)
# Results: bench/results/soak-latest.md and .json (and a timestamped copy); a smoke run writes soak-smoke.*.
# Exits non-zero when a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=false; minutes=30
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=true; shift ;;
    --minutes) minutes="${2:?--minutes needs a number}"; shift 2 ;;
    *) echo "usage: scripts/soak.sh [--minutes N] | --smoke" >&2; exit 2 ;;
  esac
done
[[ "$minutes" =~ ^[1-9][0-9]*$ ]] || { echo "--minutes takes a whole number of minutes (1 or more)" >&2; exit 2; }
if $smoke; then
  # 60 s of load; samples every 2 s after 20 s of warm-up leave 20 for the slopes; a full GC every 10 s for the
  # live heap; a JMS reply may take a few seconds (a silent provider's 2 s clock, then the next), 20 s is ample
  seconds=60; warmup=20; every=2; heap_every=10; drain=20
else
  # the warm-up is a fifth of the run, at least 2 and at most 3 minutes: long enough for the JIT, the pools and the
  # broker to reach their working size (the first 5-minute run's RSS took one last step of 9 MiB at 1 min 40 s and
  # was flat but for a creep after it), short enough to leave most of a long run to judge
  seconds=$((minutes * 60)); warmup=$((seconds / 5)); [ "$warmup" -lt 120 ] && warmup=120; [ "$warmup" -gt 180 ] && warmup=180
  every=5; heap_every=30; drain=90
fi

jar=gateway/target/cortex-0.1.0-SNAPSHOT.jar
sims=simulators/target/cortex-simulators-0.1.0-SNAPSHOT-all.jar
if [ ! -f "$jar" ] || [ ! -f "$sims" ] || [ -n "$(find gateway/src simulators/src pom.xml gateway/pom.xml simulators/pom.xml -newer "$jar" -print -quit)" ]; then
  mvn -B -ntp -q package -DskipTests
fi
mkdir -p target/soak bench/results
javac -cp "$jar" -d target/soak bench/SoakClient.java

work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# free loopback ports (the OS picks them; the simulators pick their own), so a soak never collides with a Cortex,
# a bench or a test on this machine
read -r cx_port mgmt_port broker_port <<< "$(python3 -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])
for x in s: x.close()')"

# One Groq simulator whose profiles are the faults, chosen per request by the model asked for (SoakClient's MIX
# draws them: most answer, some fail): 429 with retry-after 0 (a key cooled for no time, so Groq stays in play),
# 503, silence (nothing at all: the first-token clock), a stream cut after 3 chunks, a stream that stalls after 2
# (the idle clock), an in-stream error event, a malformed chunk, and a slow answer (~1 s). Ollama, the chain's last
# provider, answers every fall-over (Cortex asks it for its own model, which has no profile).
java -Xmx256m -XX:+UseSerialGC -jar "$sims" --groq 0 --ollama 0 --scenario healthy \
  --profiles "soak-ok:0:5:8,soak-slow:400:60:10,soak-429:0:0:8:429:0,soak-503:0:0:8:503,soak-silence:0:0:8:silence,soak-cut:0:5:8:cut:3,soak-stall:0:5:8:stall:2,soak-error:0:5:8:error_event:2,soak-malformed:0:5:8:malformed:2" \
  > "$work/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q '^export OLLAMA_BASE_URL=' "$work/sim.log" 2>/dev/null && break; sleep 0.2; done
ollama_url=$(sed -n 's/^export OLLAMA_BASE_URL=//p' "$work/sim.log")
groq_url=$(sed -n 's/^export GROQ_BASE_URL=//p' "$work/sim.log")
if [ -z "$ollama_url" ] || [ -z "$groq_url" ]; then cat "$work/sim.log"; echo "the simulators did not start" >&2; exit 1; fi

# Cortex as the all-in-one image runs it (-Xmx256m, serial GC, 512k stacks, exit on OOM: a heap leak ends the
# process, which the soak reports), with the heap committed and touched at start (-Xms = -Xmx, AlwaysPreTouch): the
# heap's share of RSS is then constant, so RSS growth is memory outside the heap (threads, buffers, the broker's
# native memory), and the heap is judged by its own live size. Groq's first-token and idle clocks are 2 s instead of
# 15: a silent or stalled provider is then given up within the soak's pace. Groq's breaker rests 3 s when open
# instead of 30: with 30, each opening would keep Groq, and so the faults, out of the run for half a minute; with 3
# it opens, rests and closes again all run long, which soaks the breaker too. JMS on, its embedded broker on a free
# port with its journal in the work directory; the front door's queue generous, as the load is bounded anyway.
GROQ_API_KEYS=gsk_soak_not_a_real_key GROQ_BASE_URL="$groq_url" OLLAMA_BASE_URL="$ollama_url" \
GROQ_MODELS="llama-3.1-8b-instant,soak-ok,soak-slow,soak-429,soak-503,soak-silence,soak-cut,soak-stall,soak-error,soak-malformed" \
OLLAMA_MAX_CONCURRENT=64 CORTEX_MAX_QUEUED_REQUESTS=4096 CORTEX_PORT="$cx_port" CORTEX_MANAGEMENT_PORT="$mgmt_port" \
JMS_ENABLED=true JMS_BROKER_PORT="$broker_port" JMS_BROKER_DATA_DIR="$work/artemis" CORTEX_LIMITS_DATA_DIR="$work/limits" \
  java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -XX:+UseSerialGC -Xss512k -XX:+ExitOnOutOfMemoryError \
  -Dprovider.groq.timeout.first-token-ms=2000 -Dprovider.groq.timeout.idle-ms=2000 -Dcortex.breaker.wait-in-open-seconds=3 \
  -Dcamel.main.routes-reload-enabled=false -jar "$jar" > "$work/cortex.log" 2>&1 &
cortex=$!
pids+=("$cortex")
CX="127.0.0.1:$cx_port"
for _ in $(seq 1 120); do curl -fs "http://$CX/api/health" > /dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://$CX/api/health" > /dev/null || { tail -30 "$work/cortex.log"; echo "Cortex did not start" >&2; exit 1; }

echo "soak: $((seconds / 60)) min $((seconds % 60)) s of load (warm-up $warmup s), Cortex pid $cortex on $CX, JMS on $broker_port ..."
java -Xss512k -Dsoak.httpWorkers=4 -Dsoak.jmsInFlight=8 -Dsoak.pauseMs=20 -Dsoak.sampleSeconds="$every" -Dsoak.heapSeconds="$heap_every" \
  -Dsoak.drainSeconds="$drain" -Dsoak.requestSeconds=60 -cp "$jar:target/soak" \
  SoakClient "http://$CX" "tcp://127.0.0.1:$broker_port" "$cortex" "$seconds" "$work/soak.json"
alive=true; kill -0 "$cortex" 2>/dev/null || alive=false
# Cortex's threads by name (digits dropped) at the end: what a thread count that grew would be made of
{ jcmd "$cortex" Thread.print 2>/dev/null || true; } | python3 -c '
import collections, json, re, sys
names = re.findall(r"^\"([^\"]*)\"", sys.stdin.read(), re.M)
print(json.dumps(dict(collections.Counter(re.sub(r"\d+", "N", n) for n in names).most_common(12))))' > "$work/threads.json"
errors=$(grep -c ' ERROR ' "$work/cortex.log" || true)

stamp=$(date -u +%Y%m%dT%H%M%SZ)
python3 - "$work/soak.json" bench/results "$stamp" "$smoke" "$warmup" "$alive" "$errors" "$work/threads.json" <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
thread_groups = json.load(open(sys.argv[8]))
out, stamp, smoke, warmup = sys.argv[2], sys.argv[3], sys.argv[4] == "true", int(sys.argv[5])
alive, log_errors = sys.argv[6] == "true", int(sys.argv[7])

# RSS slope threshold, MiB per minute of least-squares slope after the warm-up. The heap is pre-touched, so what
# can still grow is native: thread stacks, direct buffers, the JIT's code cache, malloc arenas, the broker's
# journal buffers. Those settle in the first minutes, then move by a few MiB now and then (a code-cache sweep, an
# arena). The load here is ~70 requests/s (HTTP and JMS together): 1 MiB/min is 250 bytes per request, or 60 MiB
# an hour, which a real leak of even a small buffer per request exceeds, and the settled process stays under. The
# smoke's window is the run's second and third 20 s, where the JIT and the arenas are still growing (two smokes
# measured 11 and 12 MiB/min with a flat live heap): its threshold, 20 MiB/min, catches only a gross leak (about
# 5 KiB per request) and never the JIT.
RSS_SLOPE = 20.0 if smoke else 1.0
# The live heap (after a full GC) holds the caches Cortex bounds by design (key cooldowns, breaker windows, meters
# per provider and model: a fixed set here), so after the warm-up it is flat but for the request in flight at the
# moment of the GC (well under 1 MiB). 0.5 MiB/min is 30 MiB an hour, an eighth of the heap. The smoke has too few
# heap samples after its warm-up (4) for a slope to mean anything: there it is reported, not judged.
HEAP_SLOPE = None if smoke else 0.5
# Threads and open files: the median of the last 3 samples against the median of the first 3 after the warm-up.
# Pools grow lazily to the load's peak (the HTTP workers, the broker's threads, the upstream connections), the JIT
# adds and drops compiler threads, the broker's journal opens a new file as one fills: each moves by a handful. A
# leak of one per request would be thousands. Tolerance: 10 or 10 %, whichever is more.
def tolerance(v): return max(10, v // 10)

def slope(points):  # least squares, units per minute
    if len(points) < 3: return None
    xs = [p[0] / 60 for p in points]; ys = [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else None

rows, checks = [], {}
def row(name, value, target="", ok=None):
    verdict = "" if ok is None else ("ok" if ok else "FAILED")
    if ok is not None: checks[name] = ok
    rows.append(f"| {name} | {value} | {target} | {verdict} |")

h = d["http"]
total = sum(h.values())
silent = {k: v for k, v in h.items() if k.startswith("silent")}
row("HTTP requests", f"{total} ({', '.join(f'{k} {v}' for k, v in sorted(h.items()))})", "> 0", total > 0)
row("HTTP answered 2xx", f"{h.get('ok', 0)}, of which {d['http_recovered']} by Ollama after a Groq fault")
row("HTTP refused with an error body", f"{h.get('refused', 0)} ({', '.join(f'{k}: {v}' for k, v in sorted(d['http_refusal_statuses'].items()))})")
row("HTTP streams ended by an in-band error event", f"{h.get('stream_error', 0)}")
row("HTTP silent outcomes (reset, truncated, timeout, unshaped error)", f"{sum(silent.values())}", "0", not silent)
row("faults reached Cortex (recovered, refused, in-band errors)",
    f"{d['http_recovered']} / {h.get('refused', 0)} / {h.get('stream_error', 0)}", "each > 0",
    d["http_recovered"] > 0 and h.get("refused", 0) > 0 and h.get("stream_error", 0) > 0)
j = d["jms"]
row("JMS requests sent / answered", f"{j['sent']} / {j['answered']} (p50 {j['latency_p50_ms']} ms, max {j['latency_max_ms']} ms)", "all", j["sent"] > 0 and j["answered"] == j["sent"])
row("JMS replies by CortexStatus", ", ".join(f"{k}: {v}" for k, v in sorted(j["statuses"].items())))
row("JMS missing after the drain", f"{j['missing']}", "0", j["missing"] == 0)
row("JMS answered twice / unknown id / malformed", f"{j['answered_twice']} / {j['unknown_replies']} / {j['bad_replies']}", "0 / 0 / 0",
    j["answered_twice"] == 0 and j["duplicate_replies"] == 0 and j["unknown_replies"] == 0 and j["bad_replies"] == 0)

samples = d["samples"]
after = [s for s in samples if s[0] >= warmup]
rss = [(s[0], s[1] / 1024) for s in after]
rs = slope(rss)
data_rss = dict(first_mib=round(samples[0][1] / 1024), after_warmup_mib=round(rss[0][1]) if rss else None,
                last_mib=round(samples[-1][1] / 1024), max_mib=round(max(s[1] for s in samples) / 1024),
                slope_mib_per_min=rs, threshold=RSS_SLOPE)
row("RSS: start / after warm-up / end / max (MiB)",
    f"{data_rss['first_mib']} / {data_rss['after_warmup_mib']} / {data_rss['last_mib']} / {data_rss['max_mib']}")
row("RSS slope after warm-up (MiB/min)", "n/a" if rs is None else f"{rs:+.3f} ({'flat' if rs < RSS_SLOPE else 'GROWING'})",
    f"< {RSS_SLOPE}", rs is not None and rs < RSS_SLOPE)
heap = [(t, kib / 1024) for t, kib in d["heap_live"] if t >= warmup]
hs = slope(heap)
row("live heap after full GC: after warm-up / end (MiB)",
    f"{heap[0][1]:.1f} / {heap[-1][1]:.1f}" if heap else "n/a")
row("live heap slope after warm-up (MiB/min)", "n/a" if hs is None else f"{hs:+.3f}",
    "reported (too few samples in a smoke)" if HEAP_SLOPE is None else f"< {HEAP_SLOPE}",
    None if HEAP_SLOPE is None else (hs is not None and hs < HEAP_SLOPE))
growth = {}
for i, name in ((2, "threads"), (3, "open files")):
    if len(after) < 6:
        row(f"{name}: after warm-up / end", "too few samples", "", False); continue
    first = statistics.median(s[i] for s in after[:3]); last = statistics.median(s[i] for s in after[-3:])
    growth[name] = dict(after_warmup=first, end=last, max=max(s[i] for s in samples), tolerance=tolerance(first))
    row(f"{name}: after warm-up / end / max", f"{first:.0f} / {last:.0f} / {growth[name]['max']}",
        f"end ≤ after warm-up + {tolerance(first)}", last <= first + tolerance(first))
row("Cortex alive at the end; ERROR lines in its log", f"{'yes' if alive else 'NO'}; {log_errors}", "alive", alive)

passed = all(checks.values())
data = dict(when=stamp, smoke=smoke, seconds=d["seconds"], warmup_seconds=warmup, seed=d["seed"],
            http_workers=d["http_workers"], jms_in_flight=d["jms_in_flight"], passed=passed, checks=checks,
            http=h, http_by_kind=d["http_by_kind"], http_refusal_statuses=d["http_refusal_statuses"],
            http_recovered=d["http_recovered"], silent_examples=d["silent_examples"], jms=j, rss=data_rss,
            heap_live_slope_mib_per_min=hs, growth=growth, cortex_alive=alive, cortex_log_errors=log_errors,
            http_attempt_trails=d["http_attempt_trails"], cortex_threads_by_name=thread_groups,
            samples=samples, heap_live=d["heap_live"])
head = (f"Soak {stamp}: {d['seconds'] // 60} min {d['seconds'] % 60} s, warm-up {warmup} s, "
        f"{d['http_workers']} HTTP callers + {d['jms_in_flight']} JMS requests in flight, loopback, 2 cores"
        f"{' (SMOKE: a short window, the slopes mean little)' if smoke else ''}: {'PASSED' if passed else 'FAILED'}\n\n")
table = "\n".join(["| check | measured | target | |", "|---|---|---|---|"] + rows)
top = sorted(d["http_attempt_trails"].items(), key=lambda kv: -kv[1])[:10]
extra = "\n\nMost frequent attempt trails (X-Cortex-Attempts): " + "; ".join(f"{k}: {v}" for k, v in top)
extra += "\n\nCortex's threads by name at the end: " + ", ".join(f"{k} {v}" for k, v in thread_groups.items())
extra += "" if not d["silent_examples"] else "\n\nSilent outcomes (first 20):\n" + "\n".join(f"- {e}" for e in d["silent_examples"])
for name in ((f"soak-{stamp}", "soak-latest") if not smoke else ("soak-smoke",)):
    open(f"{out}/{name}.md", "w").write(head + table + extra + "\n")
    json.dump(data, open(f"{out}/{name}.json", "w"), indent=1)
print(head + table + extra)
sys.exit(0 if passed else 1)
PY
