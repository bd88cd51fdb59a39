#!/usr/bin/env bash
# Builds Creator Studio for Windows on this Linux machine, makes its installer, and tries both
# under Wine: the installer runs silently into a fresh Wine prefix, the installed program plays a
# turn, runs a sample world and a duel (each compared with the Linux build on the same input),
# compiles, exports, installs and validates a mod into the Windows documents folder, opens its
# window under Xvfb for a screenshot, and the uninstaller removes it. Run from the repository
# root. Needs Debian's mingw-w64, nsis and wine (installed here when missing, with apt) and the
# toolchain's x86_64-pc-windows-gnu target (added with rustup when missing).
#
#   packaging/check-windows.sh
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
triple=x86_64-pc-windows-gnu
version="$(sed -n 's/^version = "\(.*\)"/\1/p' packaging/packager.toml | head -1)"
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi

echo "== tools"
missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || missing+=(mingw-w64)
command -v makensis >/dev/null 2>&1 || missing+=(nsis)
command -v wine >/dev/null 2>&1 || missing+=(wine wine64)
command -v xvfb-run >/dev/null 2>&1 || missing+=(xvfb)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing ${missing[*]} with apt"
    $sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
        || { $sudo apt-get update >/dev/null 2>&1 \
             && $sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
fi
toolchain="$(rustc --print sysroot)"
toolchain="${toolchain##*/}"
if ! rustup target list --installed --toolchain "$toolchain" | grep -qx "$triple"; then
    rustup target add "$triple" --toolchain "$toolchain"
fi

echo "== building creator-studio.exe (release, $triple)"
started=$(date +%s)
cargo build --release --target "$triple" --bin creator-studio
echo "built in $(( $(date +%s) - started )) s"
exe="$target_dir/$triple/release/creator-studio.exe"
test -s "$exe"
# The Linux build the Windows one is compared with (the tests' build when there is one).
linux="$target_dir/debug/creator-studio"
test -x "$linux" || cargo build --bin creator-studio

echo "== the installer (NSIS)"
mkdir -p "$target_dir/packages"
setup="$target_dir/packages/creator-studio_${version}_x64-setup.exe"
makensis -V2 -DVERSION="$version" -DEXE="$exe" -DWORLDS="$PWD/assets/worlds" \
    -DGRAPHS="$PWD/examples/graphs" -DOUT="$setup" packaging/windows/installer.nsi
echo "installer: $setup ($(stat -c %s "$setup") bytes)"

echo "== under Wine"
work="$(mktemp -d)"
trap 'wineserver -k >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
export HOME="$work/home" WINEPREFIX="$work/prefix" WINEARCH=win64 WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
mkdir -p "$HOME"
wineboot -i >/dev/null 2>&1
wineserver -w
# Wine 8 lacks bcryptprimitives.dll (ProcessPrng), which Rust's standard library imports and
# every Windows from 10 on has: the prefix gets a stand-in (packaging/windows/
# bcryptprimitives-for-wine.c), the installer nothing of it.
if [ ! -e "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ]; then
    x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
        packaging/windows/bcryptprimitives-for-wine.c -ladvapi32
fi
wine "$setup" /S
wineserver -w
user="$(whoami)"
installed="$WINEPREFIX/drive_c/users/$user/AppData/Local/Programs/Creator Studio"
test -f "$installed/creator-studio.exe"
test -f "$installed/worlds/village.json"
test -f "$installed/graphs/melee-rusher.mcgraph.json"
test -f "$installed/uninstall.exe"
studio() { wine "$installed/creator-studio.exe" "$@" 2>&1 | tr -d '\r'; }
studio --version

same() { # what, linux output, windows output
    if [ -z "$2" ] || [ "$2" != "$3" ]; then
        echo "DIFFERENT (or nothing to compare): $1"; echo "linux:   $2"; echo "windows: $3"; exit 1
    fi
    echo "same on Windows as on Linux: $1: ${2:0:160}"
}

# One turn of a template on a sample state: the same actions, reply size and fuel.
turn() { grep -o '"fuel_used":[0-9]*\|"reply_bytes":[0-9]*\|"text":"[^"]*"' | tr '\n' ' '; }
g="examples/graphs/melee-rusher.mcgraph.json"
s="assets/states/battle.json"
same "a turn of melee-rusher on battle" \
    "$("$linux" run "$g" --state "$s" --json | turn)" \
    "$(studio run "Z:$PWD/$g" --state "Z:$PWD/$s" --json | turn)"

# The village world: the same final world hash.
hash() { grep -o 'final world hash [0-9a-f]*'; }
same "40 ticks of the village" \
    "$("$linux" world run assets/worlds/village.json --ticks 40 | hash)" \
    "$(studio world run "$installed/worlds/village.json" --ticks 40 | hash)"

# A duel of two templates: the same wins, draws and losses.
table() { grep -E '^  [a-z-]+ [0-9.]+ +[0-9]+ +[0-9]+ +[0-9]+'; }
a="examples/graphs/melee-rusher.mcgraph.json"
b="examples/graphs/hill-defender.mcgraph.json"
same "a duel on Crossing, 4 seeds" \
    "$("$linux" duel "$a" "$b" --scenario assets/duels/crossing.json --seeds 4 | table)" \
    "$(studio duel "Z:$PWD/$a" "Z:$PWD/$b" --scenario "Z:$PWD/assets/duels/crossing.json" --seeds 4 | table)"

# Compile, export, install into the Windows documents folder, validate.
studio compile "$installed/graphs/archer-skirmisher.mcgraph.json" --output 'C:\archer.wasm' | tail -1
test -s "$WINEPREFIX/drive_c/archer.wasm"
# Written atomically over an existing file too (a rename onto an existing file is where Windows
# differs): the second compile replaces the first, whole, with nothing left beside it.
first_size=$(stat -c %s "$WINEPREFIX/drive_c/archer.wasm")
studio compile "$installed/graphs/archer-skirmisher.mcgraph.json" --output 'C:\archer.wasm' | tail -1
test "$(stat -c %s "$WINEPREFIX/drive_c/archer.wasm")" = "$first_size"
test -z "$(find "$WINEPREFIX/drive_c" -maxdepth 1 -name '*.tmp*')"
cmp <("$linux" compile "$installed/graphs/archer-skirmisher.mcgraph.json" --output "$work/linux.wasm" >/dev/null && cat "$work/linux.wasm") "$WINEPREFIX/drive_c/archer.wasm"
echo "the same module bytes on Windows as on Linux, written over the old file"
studio install "$installed/graphs/melee-rusher.mcgraph.json" --author windows | tail -2
mods="$(find "$WINEPREFIX/drive_c/users/$user" "$HOME" -path '*MagicCivilization/mods/*/manifest.json' 2>/dev/null | head -1)"
test -n "$mods"
echo "installed mod: $mods"
studio validate "$(dirname "$mods")" | head -3

# The window, under Xvfb: a screenshot of the installed studio.
shot="$target_dir/packages/windows-studio.png"
rm -f "$shot"
if timeout 300 xvfb-run -a -s "-screen 0 1600x1000x24" \
    wine "$installed/creator-studio.exe" edit --screenshot 'Z:'"$work"'\shot.png' >"$work/window.log" 2>&1 \
    && test -s "$work/shot.png"; then
    cp "$work/shot.png" "$shot"
    echo "screenshot of the studio under Wine: $shot"
else
    echo "no screenshot under Wine; what the window said:"
    tail -20 "$work/window.log"
    exit 1
fi

echo "== the uninstaller"
wine "$installed/uninstall.exe" /S
wineserver -w
sleep 2
test ! -e "$installed/creator-studio.exe"
echo "the Windows build installs, runs as the Linux one does and uninstalls cleanly"
