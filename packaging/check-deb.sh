#!/usr/bin/env bash
# Builds the .deb with cargo-packager, installs it with dpkg, checks the installed program, and
# removes it again. Run from the repository root; needs root (or sudo) for dpkg.
#
#   packaging/check-deb.sh            # release build, as users get it
#   PROFILE=debug packaging/check-deb.sh   # the binary the tests built, as is (what .ci/run
#                                          # does; a plain `cargo build` would rebuild the window
#                                          # stack with other features)
set -euo pipefail
cd "$(dirname "$0")/.."

profile="${PROFILE:-release}"
target="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi

if ! command -v cargo-packager >/dev/null 2>&1; then
    echo "== installing cargo-packager"
    cargo install cargo-packager --locked --version 0.11.8
fi

echo "== building the .deb ($profile)"
config="$(mktemp -d)/packager.toml"
if [ "$profile" = debug ]; then
    sed -e "s|^binariesDir = .*|binariesDir = \"$target/debug\"|" \
        -e "s#^beforePackagingCommand = .*#beforePackagingCommand = \"test -x $target/debug/creator-studio || cargo build --bin creator-studio\"#" \
        -e "s|^outDir = .*|outDir = \"$target/packages\"|" \
        packaging/packager.toml > "$config"
else
    sed -e "s|^binariesDir = .*|binariesDir = \"$target/release\"|" \
        -e "s|^outDir = .*|outDir = \"$target/packages\"|" \
        packaging/packager.toml > "$config"
fi
cp "$config" packaging/.packager-ci.toml
trap 'rm -f packaging/.packager-ci.toml' EXIT
cargo packager --config packaging/.packager-ci.toml --formats deb
deb="$(ls -t "$target"/packages/*.deb | head -1)"
echo "package: $deb ($(stat -c %s "$deb") bytes)"
dpkg-deb --info "$deb" | sed -n '1,20p'
dpkg-deb --contents "$deb" | awk '{print $6}' | grep -E 'usr/bin/creator-studio$|creator-studio.desktop$|creator-studio.png$|usr/lib/creator-studio/worlds/village.json$' | sort

echo "== installing it"
# A missing run-time library (a bare machine) is fetched by apt, then the install is finished.
if ! $sudo dpkg -i "$deb"; then
    echo "dpkg needs the package's dependencies; installing them with apt"
    $sudo apt-get install -f -y >/dev/null 2>&1 \
        || { $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -f -y >/dev/null; }
    $sudo dpkg -i "$deb"
fi
trap '$sudo dpkg -r creator-studio >/dev/null 2>&1 || true; rm -f packaging/.packager-ci.toml' EXIT
test "$(command -v creator-studio)" = /usr/bin/creator-studio

echo "== the installed program"
work="$(mktemp -d)"
cd "$work"
creator-studio --version
cp /usr/lib/creator-studio/graphs/melee-rusher.mcgraph.json .
creator-studio export melee-rusher.mcgraph.json --out mods/melee-rusher --author ci
creator-studio validate mods/melee-rusher
creator-studio world run /usr/lib/creator-studio/worlds/village.json --ticks 40 | tail -3
if command -v xvfb-run >/dev/null 2>&1; then
    # The installed studio opens its window, plays its first preview and saves a picture of it.
    CREATOR_STUDIO_HOME="$work/home" timeout 300 xvfb-run -a -s "-screen 0 1600x1000x24" \
        creator-studio edit --screenshot "$work/installed.png"
    test -s "$work/installed.png"
    mkdir -p "$target/packages"
    cp "$work/installed.png" "$target/packages/installed-studio.png"
    echo "screenshot of the installed studio: $target/packages/installed-studio.png"
fi
cd - >/dev/null

echo "== removing it"
$sudo dpkg -r creator-studio
test ! -e /usr/bin/creator-studio
echo "the .deb installs, runs and uninstalls cleanly"
