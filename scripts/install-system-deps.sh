#!/usr/bin/env bash
# Installs the system packages the local platform and the test suite need (Debian/Ubuntu).
# As root it installs them with apt; otherwise it prints the exact command to run.
set -euo pipefail

# No Go packages: Helm and kubeconform (scripts/install-go-tools.sh) need Go >= 1.26, newer than
# Debian bookworm's golang-go (1.19); that script uses the Go on PATH when it is new enough and
# otherwise fetches the toolchain from the Go module proxy (curl).
# Kafka itself comes from Maven Central (tools/kafka/pom.xml): it needs a JRE, Maven and, for the
# TLS test's certificates, openssl.
# The browser tests drive Debian's Chromium through playwright-core (which never downloads a
# browser of its own); the DejaVu fonts give its screenshots readable text.
PACKAGES=(redis-server redis-tools postgresql postgresql-contrib prometheus curl
          openjdk-17-jre-headless maven openssl chromium fonts-dejavu-core)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

cmd="apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Run as root:  sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The packaged servers are not used: the platform runs its own private instances.
for svc in redis-server postgresql prometheus; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
done
service redis-server stop >/dev/null 2>&1 || true
service postgresql stop >/dev/null 2>&1 || true
service prometheus stop >/dev/null 2>&1 || true
