#!/usr/bin/env bash
# Sets up this machine (Debian 12), builds the solution, generates the SynthFaces demo data if absent,
# and starts PocketNet Portal with its embedded SQLite store (data/portal), printing its URL.
#
#   PORTAL_URL=http://127.0.0.1:5000  address the portal binds to (default: localhost only)
#   PORTAL_ROLE=all|web|worker        all (default): pages, API and a worker; web: pages and API; worker: runs jobs
#                                     (several hosts: Portal__Database=postgres, see the README)
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

PORTAL_URL="${PORTAL_URL:-http://127.0.0.1:5000}"
PORTAL_HOME="${Portal__Home:-data/portal}"
mkdir -p "$PORTAL_HOME"
cat <<INFO

PocketNet Portal: $PORTAL_URL
  admin user: admin; password: the file $PORTAL_HOME/admin-password (generated at the first start),
  or set Portal__AdminPassword. Reading needs no sign-in; starting and cancelling runs does.
  Demo data (SynthFaces, synthetic) in $SYNTH_DIR. Stop with Ctrl+C.

INFO
export POCKETNET_SYNTH_DATA="$SYNTH_DIR"
exec dotnet src/PocketNet.Portal/bin/Release/net10.0/PocketNet.Portal.dll --urls "$PORTAL_URL" --Portal:Home "$PORTAL_HOME" \
  --Portal:Role "${PORTAL_ROLE:-all}"
