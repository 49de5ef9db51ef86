#!/usr/bin/env bash
# Budget check (PRODUCT.md): `sitrep snapshot --format json` against the REAL Alertmanager holding
# 10,000 alerts must be within 1.25x of `curl` fetching /api/v2/alerts alone, and at least 2x
# faster than `amtool alert query -o json`. Prints hyperfine's table and the ratios.
#
#   bash benches/snapshot_vs_curl.sh [ALERTS]
#
# Needs: prometheus-alertmanager (with amtool), curl, hyperfine, python3 (apt-get install -y
# prometheus-alertmanager curl hyperfine). Starts one Alertmanager on a free loopback port and
# stops it on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000}"
for tool in prometheus-alertmanager amtool curl hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y prometheus-alertmanager curl hyperfine python3" >&2; exit 1; }
done

cargo build --release --quiet
SITREP="$PWD/target/release/sitrep"
WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat > "$WORK/am.yml" <<YML
route: {receiver: default, group_by: [alertname, service]}
receivers: [{name: default}]
YML
prometheus-alertmanager --config.file="$WORK/am.yml" --storage.path="$WORK/data" \
  --web.listen-address="127.0.0.1:$PORT" --cluster.listen-address= >"$WORK/am.log" 2>&1 &
AM_PID=$!
trap 'kill $AM_PID 2>/dev/null; rm -rf "$WORK"' EXIT
URL="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -fs "$URL/-/ready" >/dev/null && break; sleep 0.1; done

python3 - "$N" > "$WORK/alerts.json" <<'PY'
import json, sys, datetime
n = int(sys.argv[1])
ends = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=6)).isoformat()
sev = ["critical", "warning", "info"]
print(json.dumps([{
    "labels": {"alertname": f"Alert{i % 50}", "service": f"svc-{i % 1000}", "severity": sev[i % 3],
               "instance": f"10.0.{i // 250}.{i % 250}:9100", "namespace": f"ns-{i % 40}"},
    "annotations": {"summary": f"synthetic alert {i}", "description": "load test " * 5},
    "endsAt": ends} for i in range(n)]))
PY
curl -fs -XPOST -H 'Content-Type: application/json' --data-binary @"$WORK/alerts.json" "$URL/api/v2/alerts"
for _ in $(seq 100); do
  got=$(curl -fs "$URL/api/v2/alerts" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  [ "$got" -ge "$N" ] && break; sleep 0.2
done
echo "Alertmanager $URL holds $got alerts"

export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config"
hyperfine --warmup 3 --runs 20 --export-json "$WORK/result.json" \
  -n curl "curl -fs $URL/api/v2/alerts -o /dev/null" \
  -n sitrep "$SITREP snapshot --format json --alertmanager $URL > /dev/null" \
  -n amtool "amtool alert query -o json --alertmanager.url=$URL > /dev/null"

python3 - "$WORK/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
c, s, a = (r[k]["median"] for k in ("curl", "sitrep", "amtool"))
print(f"median: curl {c*1000:.0f} ms, sitrep {s*1000:.0f} ms, amtool {a*1000:.0f} ms")
print(f"sitrep/curl = {s/c:.2f} (budget <= 1.25)   amtool/sitrep = {a/s:.2f} (budget >= 2)")
PY
/usr/bin/time -v "$SITREP" snapshot --format json --alertmanager "$URL" 2>&1 >/dev/null | grep -E "Maximum resident" || true
