#!/usr/bin/env bash
# Loss per epoch of a short SynthFaces run under the ms1mv2 recipe: ours (`pocketnet train`) beside the official
# loop (bench/python/reference_recipe.py, python3-torch), for ArcFace and for multi-step KD. The two sides start
# from their own random weights and draw their own batches, so the numbers agree in course, not digit for digit
# (tests/PocketNet.Training.Tests/Recipe/TrajectoryParityTests.cs checks the step-by-step agreement).
#
# The networks are PocketNet's genotype at a small width so that a 2-core CPU finishes in minutes: the student
# C = 8 with 6 cells, the multi-step teacher C = 16 with 6 cells (PocketNetS-128 is C = 16 with 18 cells).
#
#   bench/recipe/compare-synthfaces.sh [EPOCHS=6] [BATCH=32]      results in bench/out/recipe/
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
EPOCHS="${1:-6}" BATCH="${2:-32}"
GENOTYPE="Genotype(normal=[[('dw_conv_3x3', 0), ('dw_conv_1x1', 1)], [('dw_conv_3x3', 2), ('dw_conv_5x5', 0)], [('dw_conv_3x3', 3), ('dw_conv_3x3', 0)], [('dw_conv_3x3', 4), ('skip_connect', 0)]], normal_concat=range(2, 6), reduce=[[('dw_conv_3x3', 1), ('dw_conv_7x7', 0)], [('skip_connect', 2), ('dw_conv_5x5', 1)], [('max_pool_3x3', 0), ('skip_connect', 2)], [('max_pool_3x3', 0), ('max_pool_3x3', 1)]], reduce_concat=range(2, 6))"
STUDENT=(--genotype "$GENOTYPE" --channels 8 --cells 6 --embedding 128)
TEACHER=(--genotype "$GENOTYPE" --channels 16 --cells 6 --embedding 128)
OUT=bench/out/recipe
PY="${PYTHON_FOR_TORCH:-/usr/bin/python3}"
CLI=(dotnet src/PocketNet.Cli/bin/Release/net10.0/pocketnet.dll)

# PIL decodes the reference side's JPEGs (Debian's python3-pil).
"$PY" -c "import PIL" 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-pil; }
dotnet build src/PocketNet.Cli -c Release -v quiet >/dev/null
rm -rf "$OUT" && mkdir -p "$OUT"
"${CLI[@]}" synth --out "$OUT/synth" --identities 30 --images-per-identity 10 --seed 1 >/dev/null

train() { "${CLI[@]}" train --data "recordio:$OUT/synth/train" --epochs "$EPOCHS" --batch "$BATCH" --device cpu --log-every 1000 "$@" >/dev/null; }
epochs() { # mean losses of each epoch from a run's events.jsonl
  "$PY" -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("kind") == "epoch": print(json.dumps({"epoch": e["epoch"], **e["mean_losses"]}))' "$1/events.jsonl"
}

train "${STUDENT[@]}" --out "$OUT/ours-arcface"
train "${TEACHER[@]}" --out "$OUT/teacher"
train "${STUDENT[@]}" --mode multistep-kd --teacher-run "$OUT/teacher" --out "$OUT/ours-mskd"
"$PY" bench/python/reference_recipe.py arcface "$OUT/synth/train" "$EPOCHS" "$BATCH" 8 6 > "$OUT/reference-arcface.jsonl"
"$PY" bench/python/reference_recipe.py multistep-kd "$OUT/synth/train" "$EPOCHS" "$BATCH" 8 6 "$OUT/teacher" 16 6 > "$OUT/reference-mskd.jsonl"

for mode in arcface mskd; do
  echo "== $mode: mean loss per epoch, ours | reference (SynthFaces, synthetic; PocketNet genotype C 8 x 6 cells, batch $BATCH)"
  paste <(epochs "$OUT/ours-$mode") "$OUT/reference-$mode.jsonl"
done
