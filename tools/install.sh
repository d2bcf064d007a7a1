#!/usr/bin/env bash
# Puts `flywheel` on the PATH: publishes the CLI from this checkout and links it into a bin folder.
#   tools/install.sh [BIN_DIR]     (default ~/.local/bin; the build goes to ~/.local/share/flywheel)
# Needs the .NET 10 SDK. Run it again after `git pull` to update.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$HOME/.local/bin}"
home="${FLYWHEEL_HOME:-$HOME/.local/share/flywheel}"
command -v dotnet >/dev/null || { echo "install.sh: the .NET 10 SDK is needed (https://dot.net); 'dotnet' is not on the PATH" >&2; exit 1; }
echo "building the flywheel command (the first build restores packages and takes a few minutes; progress follows) ..."
dotnet publish "$root/src/Flywheel.Cli" -c Release -o "$home" -v minimal -nologo -clp:NoSummary
mkdir -p "$bin"
cat > "$bin/flywheel" <<WRAPPER
#!/usr/bin/env bash
exec dotnet "$home/flywheel.dll" "\$@"
WRAPPER
chmod +x "$bin/flywheel"
echo "installed: $bin/flywheel -> $home/flywheel.dll"
case ":$PATH:" in
  *":$bin:"*) echo "try: flywheel demo" ;;
  *) echo "$bin is not on your PATH; add it (e.g. echo 'export PATH=\"$bin:\$PATH\"' >> ~/.bashrc), then: flywheel demo" ;;
esac
