#!/usr/bin/env bash
# Puts the portal's browser libraries into wwwroot/lib (git-ignored), from the npm registry with `npm pack`
# (a tarball, no install scripts): onnxruntime-web for the in-browser face comparison. (The charts' plotly.js and
# the Blazor script come inside NuGet packages: Plotly.Blazor and the framework's assets.) Safe to run any number of times: a library whose wanted
# version is present is not fetched again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIB="$ROOT/wwwroot/lib"

# name  version  folder  files (paths inside the package, copied flat into wwwroot/lib/<folder>)
ASSETS=(
  "onnxruntime-web|1.30.0|onnxruntime-web|package/dist/ort.wasm.min.js package/dist/ort-wasm-simd-threaded.mjs package/dist/ort-wasm-simd-threaded.wasm"
)

if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-web-assets: 'npm' not found; install Node.js with npm (apt-get install npm) and retry" >&2
  exit 1
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
for asset in "${ASSETS[@]}"; do
  IFS='|' read -r name version folder files <<<"$asset"
  dest="$LIB/$folder"
  if [ "$(cat "$dest/VERSION" 2>/dev/null || true)" = "$name@$version" ]; then
    echo "fetch-web-assets: $name $version present in $dest"
    continue
  fi
  echo "fetch-web-assets: npm pack $name@$version"
  rm -rf "$WORK/pack" && mkdir -p "$WORK/pack"
  tarball=$(cd "$WORK/pack" && npm pack --silent "$name@$version" | tail -1)
  tar -xzf "$WORK/pack/$tarball" -C "$WORK/pack"
  rm -rf "$dest" && mkdir -p "$dest"
  for file in $files; do
    if [ ! -f "$WORK/pack/$file" ]; then
      echo "fetch-web-assets: $name@$version has no $file" >&2
      exit 1
    fi
    cp "$WORK/pack/$file" "$dest/"
  done
  echo "$name@$version" >"$dest/VERSION"
done
