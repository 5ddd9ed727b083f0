#!/usr/bin/env bash
# int8 against fp32 in ONNX Runtime on SynthFaces: the accuracy change per benchmark and the speed-up, for
# PocketNetS-128, MobileFaceNet and EdgeFace-XS trained briefly on SynthFaces (CPU: CosFace, 6 epochs; SGD at lr 0.1 per
# step of 32, EdgeFace with AdamW at 1e-3 per step of 16 and weight decay 0.05 as its recipe trains it, since SGD leaves
# its 1e-6 layer scales off; enough to separate synthetic identities, far from a converged model), each exported, quantised by
# `pocketnet quantize` (256 calibration images of the training set), evaluated by `pocketnet eval` on the three
# synthetic pair sets, and timed by `pocketnet latency` (batch 1, median of warm runs; fp32 and int8 alternate,
# two rounds, at 1 and at 2 threads, so that load from other processes falls on both alike; the better round is kept,
# with images/s at batch 64 beside the batch-1 latency).
#
#   bench/int8/compare-int8.sh [EPOCHS=6] [IDENTITIES=40]      results in bench/out/int8/ (summary.md)
# Trained models and data are kept: a second run only re-quantises, re-evaluates and re-times. MODELS="edgeface-xs"
# in the environment redoes one model only (the summary still lists every model from its kept files).
# An EdgeFace model trained before the AdamW option (its run.json without "optimizer") is retrained.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
EPOCHS="${1:-6}" IDENTITIES="${2:-40}"
OUT=bench/out/int8
PY="${PYTHON_FOR_TORCH:-/usr/bin/python3}"
CLI=(dotnet src/PocketNet.Cli/bin/Release/net10.0/pocketnet.dll)
ALL_MODELS=(pocketnet-s-128 mobilefacenet edgeface-xs)
read -r -a MODELS <<< "${MODELS:-${ALL_MODELS[*]}}"
BENCHMARKS=synth_lfw,synth_cfp_fp,synth_agedb_30

dotnet build src/PocketNet.Cli -c Release -v quiet >/dev/null
mkdir -p "$OUT"
[ -f "$OUT/synth/synth.json" ] || "${CLI[@]}" synth --out "$OUT/synth" --identities "$IDENTITIES" --images-per-identity 10 --pairs 300 --seed 1 >/dev/null

# Batch and optimiser per model; learning rates at batch 512 (the CLI scales them to the batch): SGD at 0.1 per step
# of 32 images; EdgeFace with AdamW at 1e-3 per step of 16 images (twice the steps for the same images: AdamW moves
# its layer scales by about the rate per step, so the steps are what a short run is short of).
recipe_of() {
  case "$1" in
    edgeface-*) echo "--batch 16 --optimizer adamw --lr 0.032 --weight-decay 0.05" ;;
    *) echo "--batch 32 --lr 1.6" ;;
  esac
}

for model in "${MODELS[@]}"; do
  if [[ "$model" == edgeface-* ]] && [ -f "$OUT/$model/run.json" ] && ! grep -q '"optimizer": "AdamW"' "$OUT/$model/run.json"; then
    rm -rf "${OUT:?}/$model"
  fi
  if [ ! -f "$OUT/$model/model/weights.safetensors" ]; then
    rm -rf "${OUT:?}/$model"
    # shellcheck disable=SC2046 # the recipe's flags split into words on purpose
    "${CLI[@]}" train --model "$model" --data "recordio:$OUT/synth/train" --out "$OUT/$model" --epochs "$EPOCHS" \
      --mode cosface $(recipe_of "$model") --milestones "$((EPOCHS - 1))" --device cpu --seed 1 --log-every 1000 >/dev/null
  fi
  "${CLI[@]}" export --model "$OUT/$model/model" --out "$OUT/$model-fp32.onnx" >/dev/null
  "${CLI[@]}" quantize --model "$OUT/$model-fp32.onnx" --calibration "recordio:$OUT/synth/train" --images 256 \
    --out "$OUT/$model-int8.onnx" --json > "$OUT/$model-quantize.json"
  for variant in fp32 int8; do
    "${CLI[@]}" eval --model "$OUT/$model-$variant.onnx" --benchmarks "$BENCHMARKS" --synth-root "$OUT/synth" \
      --out "$OUT/$model-$variant-eval.json" --device cpu >/dev/null
  done
  for threads in 1 2; do
    for round in 1 2; do
      for variant in fp32 int8; do
        "${CLI[@]}" latency --model "$OUT/$model-$variant.onnx" --threads "$threads" --runs 60 --json \
          > "$OUT/$model-$variant-latency-t$threads-r$round.json"
      done
    done
  done
done

"$PY" - "$OUT" "${ALL_MODELS[@]}" > "$OUT/summary.md" <<'PYEOF'
import glob, json, sys
out, models = sys.argv[1], sys.argv[2:]
print("| model | benchmark (synthetic) | fp32 | int8 | change (points) |")
print("|---|---|---|---|---|")
for m in models:
    runs = {v: {r["benchmark"]: r for r in json.load(open(f"{out}/{m}-{v}-eval.json"))["results"]} for v in ("fp32", "int8")}
    for b, r in runs["fp32"].items():
        a, q = 100 * r["headline"], 100 * runs["int8"][b]["headline"]
        print(f"| {m} | {b} | {a:.2f} | {q:.2f} | {q - a:+.2f} |")
print()
print("| model | threads | fp32 ms/image (batch 1) | int8 ms/image | speed-up | fp32 images/s (batch 64) | int8 images/s | speed-up | fp32 MB | int8 MB |")
print("|---|---|---|---|---|---|---|---|---|---|")
for m in models:
    quant = json.load(open(f"{out}/{m}-quantize.json"))["result"]
    for t in (1, 2):
        runs = {v: [json.load(open(f)) for f in sorted(glob.glob(f"{out}/{m}-{v}-latency-t{t}-r*.json"))] for v in ("fp32", "int8")}
        ms = {v: min(r["milliseconds_per_image"] for r in runs[v]) for v in runs}
        ips = {v: max(r["images_per_second"] for r in runs[v]) for v in runs}
        print(f"| {m} | {t} | {ms['fp32']:.2f} | {ms['int8']:.2f} | {ms['fp32'] / ms['int8']:.2f}x | {ips['fp32']:.1f} | {ips['int8']:.1f} | {ips['int8'] / ips['fp32']:.2f}x | {quant['float_bytes'] / 1e6:.2f} | {quant['quantized_bytes'] / 1e6:.2f} |")
cpu = json.load(open(glob.glob(f"{out}/*-latency-t1-r1.json")[0]))["cpu"]
print(f"\nCPU as `pocketnet latency` names it: {cpu}")
PYEOF
cat "$OUT/summary.md"
