#!/usr/bin/env bash
# Prepares issue 5's GPU measurement for a lent device machine (`device` tool), which has no
# Rust toolchain and no network: builds the release binaries here, strips them into `.gpu/`
# (ipsd, the engine and load benches, the GPU test binaries), and downloads the Vulkan loader
# (libvulkan1) into `.gl/`, as the device tool's README says. Both folders are ignored through
# .git/info/exclude, so nothing built is committed. Then, in one device call:
#   run(command: "bash benches/gpu/device.sh", carry: [".gpu", ".gl"], timeout_s: 540)
# and copy the figures from $OUT into BENCHMARKS.md with the adapter's name.
set -euo pipefail
cd "$(dirname "$0")/../.."
for d in /.gpu/ /.gl/; do
    grep -qxF "$d" .git/info/exclude 2>/dev/null || echo "$d" >> .git/info/exclude
done
rm -rf .gpu && mkdir -p .gpu
cargo build --release --bin ipsd --bench engine --bench load \
    --test gpu --test render --test conformance --message-format=json-render-diagnostics |
    grep -o '"executable":"[^"]*"' | sed 's/"executable":"//; s/"$//' |
    while read -r exe; do
        name=$(basename "$exe")
        cp "$exe" ".gpu/${name%%-*}"
    done
bins=(ipsd engine load gpu render conformance)
for b in "${bins[@]}"; do
    [ -x ".gpu/$b" ] || { echo "pack: .gpu/$b missing" >&2; exit 1; }
done
# Stripped they are ~90 MB, over the 64 MiB a device call carries; xz makes them ~21 MB
# (device.sh unpacks them with Python's tarfile, which every machine there has).
(cd .gpu && strip "${bins[@]}")
tar -C .gpu -cJf .gpu/bins.tar.xz "${bins[@]}"
(cd .gpu && rm -f "${bins[@]}")
# The benches and tests find the image set, test data and `ipsd` under the path they were
# built in (CARGO_MANIFEST_DIR): device.sh links it to where the tree lands there.
pwd > .gpu/manifest_dir
git describe --always --dirty > .gpu/revision
mkdir -p .gl /tmp/amd64/partial
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
# shellcheck disable=SC2086
apt-get $o update -qq
# shellcheck disable=SC2086
(cd .gl && rm -f ./*.deb && apt-get $o download -qq libvulkan1)
du -sh .gpu .gl
