#!/usr/bin/env bash
# Sets up this machine (Debian 12), builds the solution, and starts PocketNet Portal.
# Until the web portal project exists, it runs the CLI's `doctor` verb instead.
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

PORTAL_PROJECT=src/PocketNet.Portal/PocketNet.Portal.csproj
if [ -f "$PORTAL_PROJECT" ]; then
  PORTAL_URL="${PORTAL_URL:-http://127.0.0.1:5000}"
  echo "PocketNet Portal: $PORTAL_URL"
  exec dotnet run --project "$PORTAL_PROJECT" -c Release --no-build --no-launch-profile -- --urls "$PORTAL_URL"
fi

echo "note: the web portal (src/PocketNet.Portal) is not part of this build yet; running 'pocketnet doctor' instead."
exec dotnet src/PocketNet.Cli/bin/Release/net10.0/pocketnet.dll doctor
