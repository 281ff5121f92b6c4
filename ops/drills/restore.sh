#!/usr/bin/env bash
# Disaster-recovery drill (issue 16, MC-SRE-762): a state home holding N executions (default 200) is
# backed up by `maestro backup --watch`, runs continue, the home is deleted at a random moment, then
# `maestro restore` rebuilds it; every receipt is verified and every pack re-exported and verified.
# Prints RTO and RPO (and writes a JSON record with the machine load when DRILL_OUT is set).
#
#   RPO = deletion time - recovery point of the newest backup (work finished after it is lost)
#   RTO = deletion time ... restored home verified: restore + receipt/pack verification (the home is
#         usable after the restore alone; the verification is part of the drill's RTO here)
#
# Env: DRILL_EXECUTIONS (200), DRILL_PARALLEL (4), DRILL_EVERY (20s), DRILL_SEED (1), DRILL_OUT (file),
#      DRILL_WORK (a directory to keep; default: a temp dir removed at the end).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
N=${DRILL_EXECUTIONS:-200}
P=${DRILL_PARALLEL:-4}
EVERY=${DRILL_EVERY:-20s}
SEED=${DRILL_SEED:-1}
KEEP=${DRILL_WORK:-}
WORK=${KEEP:-$(mktemp -d "${TMPDIR:-/tmp}/maestro-drill.XXXXXX")}
mkdir -p "$WORK"
export MAESTRO_HOME="$WORK/home" MAESTRO_BACKUP_PASSPHRASE="drill-passphrase-$SEED" NO_COLOR=1
BACKUPS="$WORK/backups"
MAESTRO=(node "$ROOT/bin/run.js")
WATCH_PID=""
cleanup() {
  if [ -n "$WATCH_PID" ] && kill -0 "$WATCH_PID" 2>/dev/null; then kill -TERM "$WATCH_PID"; wait "$WATCH_PID" || true; fi
  if [ -z "$KEEP" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
now() { date +%s.%N; }
log() { echo "drill: $*" >&2; }
[ -f "$ROOT/dist/commands/backup.js" ] || { log "build first: npm run build"; exit 2; }

cat > "$WORK/job.yaml" <<'YAML'
apiVersion: maestro/v1
kind: Workflow
metadata: { name: drill }
spec:
  region: US
  resourceClass: small
  tasks:
    - { id: work, uses: shell, run: "echo drill; head -c 4096 /dev/urandom > /out/data.bin" }
    - { id: report, uses: shell, needs: [work], run: "echo report; date -u > /out/when.txt" }
YAML

runs() { # $1 = how many, P at a time
  seq 1 "$1" | xargs -P "$P" -I{} sh -c '"$0" "$1" run "$2" --json > /dev/null 2>&1 || echo "run failed" >&2' node "$ROOT/bin/run.js" "$WORK/job.yaml"
}

log "seeding $N executions ($P at a time) in $MAESTRO_HOME"
t=$(now)
"${MAESTRO[@]}" init > /dev/null 2>&1 || true
runs "$N"
SEED_S=$(node -e "console.log((process.argv[1]-process.argv[2]).toFixed(1))" "$(now)" "$t")
COUNT=$(ls "$MAESTRO_HOME/executions" | wc -l)
log "seeded $COUNT executions in ${SEED_S}s"

log "backing up every $EVERY while runs continue"
"${MAESTRO[@]}" backup --to "$BACKUPS" --watch --every "$EVERY" --json > "$WORK/watch.ndjson" 2> "$WORK/watch.err" &
WATCH_PID=$!
until [ -s "$WORK/watch.ndjson" ]; do sleep 0.2; kill -0 "$WATCH_PID" || { cat "$WORK/watch.err" >&2; exit 1; }; done
runs 8
# The disaster strikes at a seeded random moment within the next backup period.
EVERY_S=$(node -e "const m=/^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(process.argv[1]);console.log(m[1]*{ms:0.001,s:1,m:60,h:3600}[m[2]])" "$EVERY")
WAIT=$(node -e "let x=$SEED*2654435761%4294967296;x^=x<<13;x>>>=0;x^=x>>>17;x^=x<<5;x>>>=0;console.log((x%1000)/1000*$EVERY_S)")
sleep "$WAIT"
BEFORE=$(ls "$MAESTRO_HOME/executions" | wc -l)
T_DISASTER=$(now)
rm -rf "$MAESTRO_HOME"
log "disaster: state home deleted ($BEFORE executions) at +${WAIT}s into the period"
kill -TERM "$WATCH_PID"; wait "$WATCH_PID" || true; WATCH_PID=""
BACKUPS_MADE=$(grep -c . "$WORK/watch.ndjson")
LAST=$(tail -n 1 "$WORK/watch.ndjson")
SNAPSHOT=$(node -e "console.log(Date.parse(JSON.parse(process.argv[1]).snapshotAt)/1000)" "$LAST")

log "restoring"
t=$(now)
"${MAESTRO[@]}" restore --from "$BACKUPS" --json > "$WORK/restore.json"
T_RESTORED=$(now)
"${MAESTRO[@]}" status --json > /dev/null
log "verifying every receipt and re-exporting and verifying every pack"
node "$ROOT/ops/drills/verify-home.mjs" "$WORK/packs" > "$WORK/verify.json" || { cat "$WORK/verify.json"; log "verification FAILED"; exit 1; }
T_VERIFIED=$(now)

node - "$WORK" "$T_DISASTER" "$SNAPSHOT" "$t" "$T_RESTORED" "$T_VERIFIED" "$BEFORE" "$BACKUPS_MADE" "$SEED_S" "$N" "$EVERY" <<'JS'
const fs = require('node:fs');
const os = require('node:os');
const [work, disaster, snapshot, restoreStart, restored, verified, before, backups, seedS, n, every] = process.argv.slice(2);
const r = JSON.parse(fs.readFileSync(`${work}/restore.json`, 'utf8'));
const v = JSON.parse(fs.readFileSync(`${work}/verify.json`, 'utf8'));
const watch = fs.readFileSync(`${work}/watch.ndjson`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const out = {
  drill: 'restore',
  when: new Date().toISOString(),
  executionsSeeded: Number(n),
  executionsAtDisaster: Number(before),
  executionsRestored: r.executions,
  executionsLost: Number(before) - r.executions,
  backupEvery: every,
  backupsMade: Number(backups),
  backupSeconds: watch.map((b) => b.seconds),
  filesCopiedPerBackup: watch.map((b) => b.filesCopied),
  rpoSeconds: +(disaster - snapshot).toFixed(2),
  rtoRestoreSeconds: +(restored - disaster).toFixed(2),
  rtoVerifiedSeconds: +(verified - disaster).toFixed(2),
  restoreSeconds: +(restored - restoreStart).toFixed(2),
  verifySeconds: +(verified - restored).toFixed(2),
  receiptsVerified: v.receiptsVerified,
  packsVerified: v.packsVerified,
  notTerminal: v.notTerminal,
  failures: v.failures,
  seedSeconds: Number(seedS),
  load: os.loadavg().map((x) => +x.toFixed(2)),
  cpus: os.cpus().length,
  node: process.version,
};
console.log(JSON.stringify(out, null, 2));
if (process.env.DRILL_OUT) fs.writeFileSync(process.env.DRILL_OUT, `${JSON.stringify(out, null, 2)}\n`);
console.error(`RPO ${out.rpoSeconds}s (${out.executionsLost} executions finished after the last recovery point)`);
console.error(`RTO ${out.rtoVerifiedSeconds}s to a verified home (restore ${out.restoreSeconds}s, verification of ${out.receiptsVerified} receipts and ${out.packsVerified} packs ${out.verifySeconds}s)`);
JS
