#!/usr/bin/env bash
# Runs setup-ollama.sh against a fake Ollama (a fake `ollama` command and a tiny HTTP server on loopback):
# it must start Ollama when it is not answering, pull only what is missing (a second run pulls nothing), and give up
# after its timeout when Ollama never answers.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cleanup() {
  if [ -f "$work/server.pid" ]; then kill "$(cat "$work/server.pid")" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/fake_ollama.py" <<'PY'
import http.server, json, os, sys
state = os.environ["FAKE_STATE"]
def models():
    return [l.strip() for l in open(state + "/models")] if os.path.exists(state + "/models") else []
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def reply(self, body):
        b = json.dumps(body).encode(); self.send_response(200)
        self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(b)))
        self.end_headers(); self.wfile.write(b)
    def do_GET(self):
        self.reply({"models": [{"name": m, "model": m, "size": 1} for m in models()]})
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        name = body.get("model", "")
        name = name if ":" in name else name + ":latest"
        with open(state + "/models", "a") as f: f.write(name + "\n")
        with open(state + "/pulls", "a") as f: f.write(name + "\n")
        self.reply({"status": "success"})
with open(state + "/server.pid", "w") as f: f.write(str(os.getpid()))
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
mkdir -p "$work/bin"
cat > "$work/bin/ollama" <<SH
#!/usr/bin/env bash
case "\$1" in
  serve) exec python3 "$work/fake_ollama.py" "$port" ;;
  pull) curl -fsS "http://127.0.0.1:$port/api/pull" -d "{\"model\":\"\$2\"}" > /dev/null ;;
  *) echo "fake ollama: \$*" >&2; exit 1 ;;
esac
SH
chmod +x "$work/bin/ollama"
export PATH="$work/bin:$PATH" FAKE_STATE="$work" OLLAMA_BASE_URL="http://127.0.0.1:$port"
echo "llama3.2:latest" > "$work/models"

fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. Ollama not running: the script starts it, waits, pulls the missing model only
bash scripts/setup-ollama.sh --yes --timeout 15 --models llama3.2,qwen2.5:0.5b > "$work/out1"
grep -q "Starting Ollama" "$work/out1" || fail "did not start Ollama"
grep -q "Model llama3.2 is installed" "$work/out1" || fail "did not see the installed model"
[ "$(cat "$work/pulls")" = "qwen2.5:0.5b" ] || fail "pulled $(cat "$work/pulls"), expected only qwen2.5:0.5b"
grep -q "export OLLAMA_BASE_URL=http://127.0.0.1:$port" "$work/out1" || fail "did not print the settings"

# 2. A second run changes nothing: Ollama answers, both models are there
bash scripts/setup-ollama.sh --yes --timeout 15 --models llama3.2,qwen2.5:0.5b > "$work/out2"
grep -q "Ollama answers" "$work/out2" || fail "second run did not find Ollama answering"
[ "$(wc -l < "$work/pulls")" -eq 1 ] || fail "second run pulled again"

# 3. Nothing answers and starting is not allowed: it gives up after its timeout, with a non-zero status
kill "$(cat "$work/server.pid")"; rm -f "$work/server.pid"
start=$SECONDS
if bash scripts/setup-ollama.sh --yes --no-start --timeout 2 > "$work/out3" 2>&1; then
  fail "succeeded without an Ollama"
fi
[ $((SECONDS - start)) -le 6 ] || fail "took $((SECONDS - start))s to give up after a 2 s timeout"
grep -q "did not answer" "$work/out3" || fail "no clear message when Ollama never answers"

echo "setup-ollama.sh: starts, pulls only what is missing, is idempotent, and times out: ok"
