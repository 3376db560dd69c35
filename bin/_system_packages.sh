# Sourced by bin/test and .ci/run: the Debian packages the suite needs, written once.
# Headless Chromium drives the browser tests, and Japanese fonts let it draw their pages;
# a C compiler and the headers of Python, libpq and OpenSSL build audit/_scan.c, the fast
# check of verify_audit that the suite on PostgreSQL requires. `ensure_system_packages
# [MORE...]` installs what is missing where it can (root, apt-get), and otherwise stops at
# once, before anything runs, with the one command that installs them.
SYSTEM_PACKAGES=(chromium fonts-noto-cjk gcc python3-dev libpq-dev libssl-dev)

ensure_system_packages() {
    local missing=() pkg
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "bin/test expects Debian or Ubuntu (dpkg): install the equivalents of" \
            "${SYSTEM_PACKAGES[*]} $*, with Chromium at /usr/bin/chromium." >&2
        exit 1
    fi
    for pkg in "${SYSTEM_PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" ||
            missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing ${missing[*]} ..."
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}"
    else
        echo "The test suite needs these Debian packages: ${missing[*]}. Run:" >&2
        echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
}
