# shellcheck shell=bash
# Source this file (do not execute it) to learn where lab/deps/install.sh puts things.
# It sets, without touching anything on disk:
#   PSCLAB_CACHE_RESOLVED        ${PSCLAB_CACHE:-/var/cache/psclab}
#   KAFKA_VERSION_RESOLVED       ${KAFKA_VERSION:-3.7.1}
#   KAFKA_PROXY_VERSION_RESOLVED ${KAFKA_PROXY_VERSION:-v0.3.11}
#   KAFKA_HOME_RESOLVED          $KAFKA_HOME if set, else $PSCLAB_CACHE_RESOLVED/kafka-$KAFKA_VERSION_RESOLVED
#   KAFKA_PROXY_BIN_RESOLVED     $KAFKA_PROXY_BIN if set, else
#                                $PSCLAB_CACHE_RESOLVED/kafka-proxy-$KAFKA_PROXY_VERSION_RESOLVED/bin/kafka-proxy
# The C tool computes the same two paths from the same variables; keep both in step.
# Safe under `set -euo pipefail`. Version strings are not validated here (install.sh does).
PSCLAB_CACHE_RESOLVED="${PSCLAB_CACHE:-/var/cache/psclab}"
KAFKA_VERSION_RESOLVED="${KAFKA_VERSION:-3.7.1}"
KAFKA_PROXY_VERSION_RESOLVED="${KAFKA_PROXY_VERSION:-v0.3.11}"
if [ -n "${KAFKA_HOME:-}" ]; then
    KAFKA_HOME_RESOLVED="$KAFKA_HOME"
else
    KAFKA_HOME_RESOLVED="$PSCLAB_CACHE_RESOLVED/kafka-$KAFKA_VERSION_RESOLVED"
fi
if [ -n "${KAFKA_PROXY_BIN:-}" ]; then
    KAFKA_PROXY_BIN_RESOLVED="$KAFKA_PROXY_BIN"
else
    KAFKA_PROXY_BIN_RESOLVED="$PSCLAB_CACHE_RESOLVED/kafka-proxy-$KAFKA_PROXY_VERSION_RESOLVED/bin/kafka-proxy"
fi
export PSCLAB_CACHE_RESOLVED KAFKA_VERSION_RESOLVED KAFKA_PROXY_VERSION_RESOLVED \
       KAFKA_HOME_RESOLVED KAFKA_PROXY_BIN_RESOLVED
