#!/usr/bin/env bash
# Installs the Debian packages `make run` / `make test` need, only those missing, so a fresh machine needs no manual step.
#   run:  a TrueType CJK font (reportlab embeds it in the checklist PDF; Chromium renders Chinese with it)
#   test: also Chromium (browser tests through Playwright), poppler-utils (PDF text checks), zbar-tools (decoding the
#         receipt PDF's QR code), gettext (catalogue checks),
#         redis-server (the shared-cache tests start their own on a free port) and the production topology's
#         servers (`make topology`, tests/deploy): nginx, Redis, PostgreSQL
# Debian packages, not downloads: Playwright's own browser download cannot reach its CDN here, and pip has no
# TrueType CJK font (the PyPI Noto CJK packages are CFF, which reportlab cannot embed).
set -euo pipefail
profile="${1:-run}"

declare -A wanted=(
  [/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc]=fonts-wqy-zenhei
)
if [ "$profile" = test ]; then
  wanted[/usr/bin/chromium]=chromium
  wanted[/usr/bin/pdftotext]=poppler-utils
  wanted[/usr/bin/zbarimg]=zbar-tools
  wanted[/usr/bin/xgettext]=gettext
  wanted[/usr/sbin/nginx]=nginx
  wanted[/usr/bin/redis-server]=redis-server
  wanted[/usr/bin/pg_ctlcluster]=postgresql
fi

missing=()
for path in "${!wanted[@]}"; do
  [ -e "$path" ] || missing+=("${wanted[$path]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "缺少系统软件包 / missing Debian packages: ${missing[*]}" >&2
  echo "Run as root: apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "== installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
