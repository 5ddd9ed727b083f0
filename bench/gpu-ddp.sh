#!/usr/bin/env bash
# Data-parallel training throughput on a GPU host, as it is (not part of CI; never run on the CPU machines here).
# Needs the CUDA build of the engine (the Dockerfile's image, or CMAKE_PREFIX_PATH pointing at a CUDA libtorch
# and artifacts/native/ rebuilt). Generates SynthFaces, trains PocketNet-S-128 for one epoch on cuda:0 alone,
# then, when the host has two or more GPUs, as 2 ranks over NCCL (--nproc-per-node 2, --sync-bn), and prints the
# images/s of each (rank 0's last step event times the world size); then one GPU in fp16 (autocast with loss
# scaling) and bf16, and 2 ranks with Partial FC at sample rate 0.3.
#   bench/gpu-ddp.sh [BATCH_PER_GPU=128] [IMAGES_PER_IDENTITY=64]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BATCH=${1:-128}
PER_ID=${2:-64}
dotnet build "$ROOT/src/PocketNet.Cli" -c Release >/dev/null
CLI=(dotnet "$ROOT/src/PocketNet.Cli/bin/Release/net10.0/pocketnet.dll")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"${CLI[@]}" doctor
gpus=$("${CLI[@]}" doctor --json | grep -o '"cuda_devices": *[0-9]*' | grep -o '[0-9]*$')
[ "$gpus" -ge 1 ] || { echo "gpu-ddp: no CUDA device visible to the engine (see doctor above)" >&2; exit 1; }
"${CLI[@]}" synth --out "$WORK/synth" --identities 64 --images-per-identity "$PER_ID" --pairs 20 --seed 1 >/dev/null

images_per_second() { # events.jsonl, world size
  grep -o '"images_per_second":[0-9.eE+-]*' "$1" | tail -n 1 | cut -d: -f2 | awk -v w="$2" '{ printf "%.1f", $1 * w }'
}
train() { # run name, world size, extra options
  local run=$1 world=$2; shift 2
  "${CLI[@]}" train --model pocketnet-s-128 --data "recordio:$WORK/synth/train" --out "$WORK/$run" --epochs 1 \
      --batch "$BATCH" --device cuda --log-every 5 "$@" >/dev/null
  echo "$run, world size $world: $(images_per_second "$WORK/$run/events.jsonl" "$world") images/s (batch $BATCH per GPU)"
}
train single 1
if [ "$gpus" -ge 2 ]; then train nccl 2 --nproc-per-node 2 --sync-bn; else echo "world size 2: skipped, one GPU"; fi
train fp16 1 --precision fp16
train bf16 1 --precision bf16
if [ "$gpus" -ge 2 ]; then train partial-fc 2 --nproc-per-node 2 --sync-bn --sample-rate 0.3; fi
