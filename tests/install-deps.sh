#!/bin/bash
# Installs the Debian 12 packages claimd needs, from the lists in tests/deps/
# (one package a line, '#' comments; add a dependency to the list it belongs
# to, and to debian/control when it is a build dependency):
#
#     tests/install-deps.sh           build.txt + runtime.txt: build and run
#     tests/install-deps.sh --test    ... + test.txt: every test suite
#     tests/install-deps.sh --fuzz    ... + fuzz.txt: tests/fuzz/run-fuzzers.sh
#     tests/install-deps.sh --list [--test] [--fuzz]
#                                     print the packages, install nothing
#
# Idempotent: packages already installed are left alone, and apt-get update
# runs only when something is missing.  Installs with apt-get as root, or
# through sudo otherwise.
set -euo pipefail

deps=$(cd "$(dirname "$0")" && pwd)/deps

usage() {
        echo "usage: $0 [--test] [--fuzz] [--list]" >&2
        echo "  (no flag: what building and running claimd needs)" >&2
        exit 2
}

lists=(build runtime)
list_only=
for arg in "$@"; do
        case $arg in
                --test) lists+=(test) ;;
                --fuzz) lists+=(fuzz) ;;
                --list) list_only=1 ;;
                -h|--help) usage ;;
                *) echo "$0: unknown argument '$arg'" >&2; usage ;;
        esac
done

# The packages of one list file: comments and blank lines dropped.
read_list() {
        sed -e 's/#.*//' "$deps/$1.txt" | tr -s ' \t' '\n\n' | sed '/^$/d'
}

packages=()
for l in "${lists[@]}"; do
        mapfile -t -O "${#packages[@]}" packages < <(read_list "$l")
done

if [ -n "$list_only" ]; then
        printf '%s\n' "${packages[@]}"
        exit 0
fi

missing=()
for p in "${packages[@]}"; do
        # NodeSource's nodejs bundles npm and conflicts with Debian's npm package
        if [ "$p" = npm ] && command -v npm >/dev/null; then
                continue
        fi
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
                missing+=("$p")
        fi
done

if [ ${#missing[@]} -eq 0 ]; then
        echo "install-deps: all ${#packages[@]} packages (${lists[*]}) already installed"
        exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null; then
                echo "install-deps: not root and no sudo: run as root: apt-get install ${missing[*]}" >&2
                exit 1
        fi
        SUDO=sudo
fi
echo "install-deps: installing (${lists[*]}): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
