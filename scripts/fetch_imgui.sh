#!/usr/bin/env bash
# Fetches Dear ImGui's core sources (imgui*.cpp and the GLFW/OpenGL3 backends) for the WebAssembly
# playground. Debian ships only ImGui's headers in a binary package; the sources come from its source
# package, fetched with a private deb-src list built from the system's own mirror. Idempotent.
#
#   scripts/fetch_imgui.sh [DEST]     (default: build/third_party/imgui)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$root/build/third_party/imgui}"
if [[ -f "$dest/imgui.cpp" && -f "$dest/backends/imgui_impl_glfw.cpp" && -f "$dest/backends/imgui_impl_opengl3.cpp" ]]; then
  echo "Dear ImGui sources already in $dest"
  exit 0
fi

work="$(dirname "$dest")/imgui-download"
rm -rf "$work"
mkdir -p "$work/sources" "$work/lists/partial" "$work/archives"

# The mirror the system already uses for Debian's main archive (deb822 or one-line format).
mirror=""
for f in /etc/apt/sources.list.d/*.sources; do
  [[ -f "$f" ]] || continue
  mirror="$(awk '/^URIs:/ {for (i = 2; i <= NF; i++) if ($i !~ /security/) {print $i; exit}}' "$f")"
  [[ -n "$mirror" ]] && break
done
if [[ -z "$mirror" && -f /etc/apt/sources.list ]]; then
  mirror="$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)"
fi
if [[ -z "$mirror" ]]; then
  echo "error: no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list" >&2
  exit 1
fi

cat > "$work/sources/imgui-src.sources" <<SOURCES
Types: deb-src
URIs: $mirror
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES

apt_private=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/sources"
             -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/archives"
             -o APT::Sandbox::User=root)
apt-get "${apt_private[@]}" -qq update
(cd "$work" && apt-get "${apt_private[@]}" -qq source --download-only imgui)

tarball="$(ls "$work"/imgui_*.orig.tar.* | head -n 1)"
unpacked="$work/unpacked"
mkdir -p "$unpacked"
tar -xf "$tarball" -C "$unpacked" --strip-components=1
for f in imgui.cpp imgui_draw.cpp imgui_tables.cpp imgui_widgets.cpp backends/imgui_impl_glfw.cpp \
         backends/imgui_impl_opengl3.cpp; do
  [[ -f "$unpacked/$f" ]] || { echo "error: $f missing from $tarball" >&2; exit 1; }
done
rm -rf "$dest"
mv "$unpacked" "$dest"
rm -rf "$work"
echo "Dear ImGui sources in $dest ($(basename "$tarball"))"
