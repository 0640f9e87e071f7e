# Shared by the tools/ci/start-*.sh scripts (sourced, not run).

# need_packages PKG...: install the Debian packages that are missing,
# refreshing the package lists first only when apt does not know them.
need_packages() {
    local pkg missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null \
            | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
        apt-get update -qq
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${missing[@]}"
}

# fail_with_log MESSAGE LOGFILE: say why a server did not start, show the
# end of its log, and exit non-zero.
fail_with_log() {
    echo "$1" >&2
    if [ -r "$2" ]; then
        echo "--- last lines of $2 ---" >&2
        tail -n 40 "$2" >&2
    else
        echo "(no log at $2)" >&2
    fi
    exit 1
}
