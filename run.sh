#!/usr/bin/env bash
# Sets up this machine (Debian 12), builds the solution, generates the SynthFaces demo data if absent,
# and starts PocketNet Portal. Until the web portal project exists, it runs the CLI's `doctor` verb
# and shows the benchmark registry instead.
#
#   PORTAL_URL=http://127.0.0.1:5000  address the portal binds to (default: localhost only)
#   POCKETNET_SKIP_SETUP=1            skip the Debian package step (see scripts/setup.sh)
#   POCKETNET_SKIP_BUILD=1            skip `dotnet build` (the Docker image builds at image time)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

./scripts/setup.sh

if [ "${POCKETNET_SKIP_BUILD:-0}" != "1" ]; then
  dotnet build PocketNet.Portal.sln -c Release
fi

CLI=(dotnet src/PocketNet.Cli/bin/Release/net10.0/pocketnet.dll)

# Demo data: synthetic faces in the real formats (RecordIO, .bin pair sets, IJB, MegaFace), always labelled synthetic.
SYNTH_DIR="${POCKETNET_SYNTH_DATA:-data/synth}"
if [ ! -f "$SYNTH_DIR/synth.json" ]; then
  echo "generating the SynthFaces demo data in $SYNTH_DIR (synthetic, seed 1)"
  "${CLI[@]}" synth --out "$SYNTH_DIR" --identities 100 --images-per-identity 10 --seed 1
fi

PORTAL_PROJECT=src/PocketNet.Portal/PocketNet.Portal.csproj
if [ -f "$PORTAL_PROJECT" ]; then
  PORTAL_URL="${PORTAL_URL:-http://127.0.0.1:5000}"
  echo "PocketNet Portal: $PORTAL_URL"
  exec dotnet run --project "$PORTAL_PROJECT" -c Release --no-build --no-launch-profile -- --urls "$PORTAL_URL"
fi

echo "note: the web portal (src/PocketNet.Portal) is not part of this build yet; the same verbs work from the CLI:"
"${CLI[@]}" doctor
"${CLI[@]}" benchmarks --synth-root "$SYNTH_DIR"
cat <<HINT

Try a small run on the demo data (see README.md for every verb):
  ${CLI[*]} train --model pocketnet-s-128 --data recordio:$SYNTH_DIR/train --out runs/demo --epochs 2 --batch 32 --validation $SYNTH_DIR/synth_lfw.bin
  ${CLI[*]} eval --model runs/demo --benchmarks synth_lfw,synth_cfp_fp,synth_agedb_30,synth_ijb,synth_megaface
HINT
