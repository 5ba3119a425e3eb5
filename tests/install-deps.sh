#!/bin/bash
# Installs every Debian 12 package needed to build claimd and run all its
# test suites (unit, integration, systemd, journal, sanitizers, valgrind,
# fuzz replay).  Idempotent: packages already installed are left alone and
# the package lists are refreshed at most once.  Run as root (or via sudo).
set -euo pipefail

PACKAGES=(
        # build
        build-essential gcc meson ninja-build pkg-config git
        # libraries (pkg-config: libevent, sqlite3, jansson, libsystemd, icu, libxml-2.0)
        libevent-dev libsqlite3-dev libjansson-dev libsystemd-dev
        libicu-dev libxml2-dev libstemmer-dev wordnet-dev
        # data: the WordNet database under /usr/share/wordnet
        wordnet-base
        # tests: python3 (stdlib only), the systemd tools (systemd-analyze,
        # systemd-socket-activate, systemd-journald, journalctl), sqlite3 and
        # curl for manual checks, valgrind for `meson test --setup=valgrind`,
        # strace and setpriv (util-linux) for the sandbox check
        python3 systemd sqlite3 curl valgrind strace util-linux
        # sanitizers and libFuzzer (ASan/UBSan runtimes come with gcc)
        clang libclang-rt-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
                missing+=("$p")
        fi
done

if [ ${#missing[@]} -eq 0 ]; then
        echo "install-deps: all ${#PACKAGES[@]} packages already installed"
        exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
        SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
