#!/usr/bin/env bash
# HNSW ef_search against exact search on SciFact train, at the API's default k = 10 (each shard
# asked for 30 chunks), through the real API: one `kb eval --mode vector --k 10 --exact` per
# ef_search value, the tenant's index generation bumped before each so no answer comes from a
# cache. Writes benchmark/results/ef-search/eval-ef<N>.json and the summary
# benchmark/results/ef-search-scifact-k10.json. Needs the SciFact tenant indexed (`./kb eval`
# once) and a quiet machine; stops the pipeline and API that `kb eval` leaves running.
# Usage: benchmark/ef-search-sweep.sh [EF ...]   (default: 40 64 100)
set -euo pipefail
cd "$(dirname "$0")/.."
values=("$@")
[[ $# -eq 0 ]] && values=(40 64 100)
out=benchmark/results/ef-search
mkdir -p "$out"
redis_password=$(sed -n 's/^kb.redis.password=//p' .kb/secrets.properties)
for ef in "${values[@]}"; do
  REDISCLI_AUTH="$redis_password" redis-cli -p 25410 INCR kb:gen:scifact > /dev/null
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  KB_SEARCH_EF_SEARCH="$ef" ./kb eval --dataset ../shared/data/scifact --split train \
    --mode vector --k 10 --exact --restart-api --out "$out/eval-ef$ef.json"
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "{\"ef\": $ef, \"loadBefore\": \"$load_before\", \"loadAfter\": \"$load_after\"}" \
    > "$out/load-ef$ef.json"
done
for pidfile in .kb/run/pipeline.pid .kb/run/api.pid; do
  [[ -f $pidfile ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
done
python3 - "$out" "${values[@]}" <<'PY'
import json, sys, datetime
out, values = sys.argv[1], sys.argv[2:]
rows = []
for ef in values:
    run = json.load(open(f"{out}/eval-ef{ef}.json"))
    load = json.load(open(f"{out}/load-ef{ef}.json"))
    modes = {m["mode"]: m for m in run["results"]}
    rows.append({"efSearch": int(ef), "api": modes["vector"], "exact": modes["vector-exact"],
                 "loadBefore": load["loadBefore"], "loadAfter": load["loadAfter"]})
summary = {
    "command": "benchmark/ef-search-sweep.sh " + " ".join(values),
    "written": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "what": "nDCG@10 of vector search through the API at k = 10 (30 chunks a shard) by HNSW"
            " ef_search, against exact search over the same chunks; SciFact train, 809 queries",
    "rows": rows,
}
json.dump(summary, open("benchmark/results/ef-search-scifact-k10.json", "w"), indent=2)
for r in rows:
    print(f"ef_search {r['efSearch']:4d}: API nDCG@10 {r['api']['ndcg@10']}"
          f"  exact {r['exact']['ndcg@10']}")
PY
