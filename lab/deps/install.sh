#!/usr/bin/env bash
# lab/deps/install.sh -- install what pscLab needs on a Debian 12 machine (`make deps`, as root).
#
#   a. Debian packages named in lab/deps/packages.txt (+ a Java runtime when `java` is missing)
#   b. Apache Kafka $KAFKA_VERSION (default 3.7.1; 3.7+ and 4.x) from Maven Central, laid out
#      like the release tarball (bin/ config/ libs/ VERSION) in
#      ${PSCLAB_CACHE:-/var/cache/psclab}/kafka-<version>, unless KAFKA_HOME names one already
#   c. grepplabs/kafka-proxy $KAFKA_PROXY_VERSION (default v0.3.11) and $KAFKA_PROXY_EXTRA_VERSIONS
#      (default v0.4.3) into ${PSCLAB_CACHE:-/var/cache/psclab}/kafka-proxy-<tag>/bin/kafka-proxy:
#      built offline from the source archive in $KAFKA_PROXY_SRC (default: shared/third_party/
#      kafka-proxy beside the repository) after its SHA256SUMS check, else with `go install`;
#      unless KAFKA_PROXY_BIN names one already
#
# Idempotent: every step checks dpkg-query or a stamp file first, so a re-run takes seconds.
# Kafka and kafka-proxy are built in a temporary directory beside their place and renamed into
# it whole, stamp included, so an interrupted run never leaves a tree that looks complete.
# Only apt, mvn (Maven Central) and go (module proxy) download anything. Where things land:
# source lab/deps/paths.sh (it computes the same paths as the C tool).
#
# Environment: KAFKA_VERSION, KAFKA_PROXY_VERSION, KAFKA_PROXY_EXTRA_VERSIONS, KAFKA_PROXY_SRC,
#   KAFKA_HOME, KAFKA_PROXY_BIN, PSCLAB_CACHE, JAVA_HOME (java used by the check and the
#   wrappers), GO (a go binary to use), PSCLAB_MVN_TIMEOUT / PSCLAB_GO_TIMEOUT (seconds, default
#   1200 each), PSCLAB_SKIP_KAFKA_PROXY=1 (leave step c out). kafka-proxy that cannot be had (no
#   archive for the tag, a checksum mismatch, a failed build, the module proxy's 403) is an error.
# shellcheck disable=SC2016 # single-quoted $vars are written literally into generated scripts
set -euo pipefail
umask 022

DEPS_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
SELF="$DEPS_DIR/install.sh"
# shellcheck source=lab/deps/paths.sh
. "$DEPS_DIR/paths.sh"

CACHE=$PSCLAB_CACHE_RESOLVED
KV=$KAFKA_VERSION_RESOLVED
PV=$KAFKA_PROXY_VERSION_RESOLVED
KH=$KAFKA_HOME_RESOLVED
PB=$KAFKA_PROXY_BIN_RESOLVED

# Logging bindings: what the release tarballs ship (3.x: reload4j; 4.x: log4j2 with the
# SLF4J 1.x binding, since Kafka 4.x still uses slf4j-api 1.7.36).
RELOAD4J_VERSION=1.2.25
SLF4J_RELOAD4J_VERSION=1.7.36
LOG4J2_VERSION=2.24.3
MVN_DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.6.1
MVN_TIMEOUT=${PSCLAB_MVN_TIMEOUT:-1200}
GO_TIMEOUT=${PSCLAB_GO_TIMEOUT:-1200}
PROXY_MODULE=github.com/grepplabs/kafka-proxy

say() { printf 'deps: %s\n' "$*"; }
# die WHAT WHY FIX...: what is missing, why, and the command(s) that fix it; exit 1.
die() {
    local what=$1 why=$2 f
    shift 2
    {
        printf 'deps: ERROR: %s\n' "$what"
        printf 'deps:   why: %s\n' "$why"
        for f in "$@"; do printf 'deps:   fix: %s\n' "$f"; done
    } >&2
    exit 1
}
now_ms() { date +%s%3N; }
since() { local t=$(($(now_ms) - $1)); printf '%d.%ds' $((t / 1000)) $(((t % 1000) / 100)); }
show_log_tail() { # show_log_tail FILE LABEL: the lines of a failed command's log that matter
    [ -s "$1" ] || return 0
    # Maven writes ANSI colour resets even in batch mode, and a footer of help links.
    sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' "$1" |
        awk -v p="deps:   $2| " 'NF && !/^\[ERROR\] *$|For more information about the errors|^\[ERROR\] \[Help [0-9]+\]|Re-run Maven|To see the full stack trace/ { print p $0 }' |
        tail -n 12 >&2 || true
}

TMPS=()
cleanup() { [ ${#TMPS[@]} -eq 0 ] || rm -rf -- "${TMPS[@]}"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

T_START=$(now_ms)

# ---------------------------------------------------------------- validation (step d)
if ! [[ $KV =~ ^(0|[1-9][0-9]?)\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$ ]]; then
    die "KAFKA_VERSION='$KV' is not a Kafka release version" \
        "it must be MAJOR.MINOR.PATCH digits only (e.g. 3.7.1, 4.1.1): it goes into paths and Maven coordinates" \
        "KAFKA_VERSION=3.7.1 $SELF"
fi
KMAJOR=${KV%%.*}
KMINOR=${KV#*.}
KMINOR=${KMINOR%%.*}
if ! { [ "$KMAJOR" -eq 3 ] && [ "$KMINOR" -ge 7 ]; } && [ "$KMAJOR" -ne 4 ]; then
    die "Kafka $KV is not supported by this installer" \
        "it lays out 3.7+ (reload4j logging) and 4.x (log4j2 logging) only" \
        "KAFKA_VERSION=3.7.1 $SELF" \
        "or KAFKA_HOME=/path/to/unpacked/kafka_2.13-$KV $SELF   (a release tarball, used as is)"
fi
if ! [[ $PV =~ ^v(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$ ]]; then
    die "KAFKA_PROXY_VERSION='$PV' is not a kafka-proxy release tag" \
        "it must be vMAJOR.MINOR.PATCH (e.g. v0.3.11, v0.4.2): it goes into paths and the go command" \
        "KAFKA_PROXY_VERSION=v0.3.11 $SELF"
fi
if ! [[ $CACHE =~ ^/[A-Za-z0-9._/@+-]*$ ]]; then
    die "PSCLAB_CACHE='$CACHE' is not usable" \
        "it must be an absolute path of letters, digits and ._/@+- (it is split into JVM options)" \
        "PSCLAB_CACHE=/var/cache/psclab $SELF"
fi

# Create the cache and take its lock, once, the first time a step has to build something.
CACHE_LOCKED=0
need_cache() {
    [ "$CACHE_LOCKED" -eq 0 ] || return 0
    if ! mkdir -p "$CACHE" 2>/dev/null || ! [ -w "$CACHE" ]; then
        die "cannot write to the cache $CACHE" \
            "Kafka and kafka-proxy are installed there; it needs root or a cache of your own" \
            "sudo $SELF" "or PSCLAB_CACHE=\$HOME/.cache/psclab $SELF  (and the same PSCLAB_CACHE for pscLab)"
    fi
    exec 9>>"$CACHE/.install.lock"
    if ! flock -w 3600 9; then
        die "another install.sh holds $CACHE/.install.lock" "it did not finish within an hour" \
            "wait for it, or end it, then: $SELF"
    fi
    CACHE_LOCKED=1
    # Leftovers of runs that were killed (only install.sh, under this lock, makes these).
    rm -rf -- "$CACHE"/.kafka-*.tmp.* "$CACHE"/.kafka-*.old.*
}

# Rename a finished temporary tree into place.
swap_in() { # swap_in TMPDIR DEST
    local old="" base
    base=$(basename "$2")
    if [ -e "$2" ] || [ -L "$2" ]; then
        old="$CACHE/.$base.old.$$"
        mv -T -- "$2" "$old"
    fi
    mv -T -- "$1" "$2"
    [ -z "$old" ] || rm -rf -- "$old"
}

# ---------------------------------------------------------------- a. Debian packages
step_apt() {
    local t0 p log
    t0=$(now_ms)
    local -a want=() missing=()
    local -A have=()
    mapfile -t want < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$DEPS_DIR/packages.txt" | grep -v '^$' || true)
    if ! command -v java >/dev/null 2>&1 && [ ! -x "${JAVA_HOME:-/nonexistent}/bin/java" ]; then
        want+=(openjdk-17-jre-headless)
    fi
    for p in "${want[@]}"; do
        [[ $p =~ ^[a-z0-9][a-z0-9+.-]+$ ]] ||
            die "bad package name '$p' in $DEPS_DIR/packages.txt" "Debian names are [a-z0-9+.-]" "edit $DEPS_DIR/packages.txt"
    done
    while IFS=$'\t' read -r p st; do
        [ "$st" = "ii " ] && have[$p]=1
    done < <(dpkg-query -W -f='${Package}\t${db:Status-Abbrev}\n' "${want[@]}" 2>/dev/null || true)
    for p in "${want[@]}"; do
        [ -n "${have[$p]:-}" ] || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        say "apt: ${#want[@]} packages present ($(since "$t0"))"
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        die "Debian packages missing: ${missing[*]}" "installing them needs root" \
            "sudo $SELF   (or: sudo apt-get update && sudo apt-get install -y ${missing[*]})"
    fi
    say "apt: installing ${missing[*]}"
    log=$(mktemp /tmp/psclab-apt.XXXXXX)
    TMPS+=("$log")
    if ! timeout 1800 apt-get update >"$log" 2>&1; then
        show_log_tail "$log" apt
        die "apt-get update failed" "the Debian mirror is not reachable or apt is busy (see above)" \
            "apt-get update && apt-get install -y ${missing[*]}"
    fi
    if ! DEBIAN_FRONTEND=noninteractive timeout 3600 apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
        "${missing[@]}" >>"$log" 2>&1; then
        show_log_tail "$log" apt
        die "apt-get install failed for: ${missing[*]}" "see the apt output above" \
            "apt-get update && apt-get install -y ${missing[*]}"
    fi
    say "apt: installed ${#missing[@]} packages ($(since "$t0"))"
}

# ---------------------------------------------------------------- b. Kafka from Maven Central
JAVA_BIN=java
check_java() {
    local need=11 out major
    [ "$KMAJOR" -ge 4 ] && need=17
    if [ -n "${JAVA_HOME:-}" ]; then JAVA_BIN="$JAVA_HOME/bin/java"; fi
    if ! out=$("$JAVA_BIN" -version 2>&1); then
        die "no Java runtime ($JAVA_BIN)" "the Kafka wrappers run \$JAVA_HOME/bin/java or java from PATH" \
            "apt-get install -y openjdk-17-jre-headless   (and unset JAVA_HOME, or point it at a JDK/JRE 17+)"
    fi
    # version "17.0.15" -> 17; version "1.8.0_392" -> 8; version "21" -> 21
    major=$(printf '%s\n' "$out" | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
    case $major in
        1.*) major=${major#1.} ;;
    esac
    major=${major%%[!0-9]*}
    if ! [[ $major =~ ^[0-9]+$ ]] || [ "$major" -lt "$need" ]; then
        die "Java ${major:-?} at $JAVA_BIN is too old for Kafka $KV" "Kafka $KMAJOR.x needs Java $need or later" \
            "apt-get install -y openjdk-17-jre-headless && export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64"
    fi
}

# kafka_artifacts [LOG4J2_VERSION]: the Maven artifacts of the runtime, one G:A:V a line.
# 4.x: the log4j2 version is the one Kafka's own dependencies bring (the release ships that);
# without an argument the line names that rule instead of a version (used in the stamp).
kafka_artifacts() {
    echo "org.apache.kafka:kafka_2.13:$KV"
    echo "org.apache.kafka:kafka-tools:$KV"
    if [ "$KMAJOR" -eq 3 ]; then
        echo "ch.qos.reload4j:reload4j:$RELOAD4J_VERSION"
        echo "org.slf4j:slf4j-reload4j:$SLF4J_RELOAD4J_VERSION"
    else
        # All three declared at one version (nearest wins in Maven): core and its SLF4J 1.x binding.
        local lv=${1:-as-kafka-else-$LOG4J2_VERSION}
        echo "org.apache.logging.log4j:log4j-api:$lv"
        echo "org.apache.logging.log4j:log4j-core:$lv"
        echo "org.apache.logging.log4j:log4j-slf4j-impl:$lv"
    fi
}

write_pom() { # write_pom FILE G:A:V...
    local g a v spec
    {
        cat <<'EOF2'
<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by pscLab lab/deps/install.sh: resolves the Kafka runtime jars. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.psclab</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
EOF2
        for spec in "${@:2}"; do
            IFS=: read -r g a v <<<"$spec"
            printf '    <dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></dependency>\n' "$g" "$a" "$v"
        done
        cat <<'EOF2'
  </dependencies>
</project>
EOF2
    } >"$1"
}

run_mvn() { # run_mvn POM GOAL ARGS...: quiet, batch, repository in the cache; dies on failure
    local pom=$1 rc=0
    shift
    (cd "$(dirname "$pom")" && timeout --kill-after=30 "$MVN_TIMEOUT" mvn -B -q -U -Dstyle.color=never \
        -Dmaven.repo.local="$CACHE/m2" -f "$pom" "$@" >>"$(dirname "$pom")/mvn.log" 2>&1) || rc=$?
    [ "$rc" -eq 0 ] || mvn_fail "$rc" "$(dirname "$pom")/mvn.log"
}

# resolve_kafka_jars DIR: DIR/libs gets the runtime jars (as copy-dependencies names them:
# artifactId-version.jar, like the release's libs/).
resolve_kafka_jars() {
    local dir=$1 b=$1/.build lv=""
    local -a arts=()
    mkdir -p "$b" "$CACHE/m2"
    if [ "$KMAJOR" -ge 4 ]; then
        write_pom "$b/probe.xml" "org.apache.kafka:kafka_2.13:$KV" "org.apache.kafka:kafka-tools:$KV"
        run_mvn "$b/probe.xml" "$MVN_DEP_PLUGIN:list" -DincludeScope=runtime -DoutputFile="$b/list.txt"
        lv=$(grep -oE 'org\.apache\.logging\.log4j:log4j-core:jar:[0-9][0-9A-Za-z.-]*' "$b/list.txt" | head -n 1 | cut -d: -f4 || true)
        [ -n "$lv" ] || lv=$LOG4J2_VERSION
    fi
    mapfile -t arts < <(kafka_artifacts "$lv")
    write_pom "$b/pom.xml" "${arts[@]}"
    run_mvn "$b/pom.xml" "$MVN_DEP_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory="$dir/libs"
    [ -f "$dir/libs/kafka_2.13-$KV.jar" ] ||
        die "mvn gave no kafka_2.13-$KV.jar" "mvn succeeded but copied no such jar; log: $(keep_log "$b/mvn.log" mvn)" "$SELF"
    printf '%s\n' "${arts[@]}" >"$dir/.psclab-artifacts"
    rm -rf "$b"
}

# keep_log LOG NAME: copy a failed command's log out of the temporary tree (removed on exit).
keep_log() {
    cp -f -- "$1" "$CACHE/$2-error.log" 2>/dev/null && printf '%s' "$CACHE/$2-error.log" || printf '%s' "(no log)"
}

mvn_fail() { # mvn_fail RC LOG
    show_log_tail "$2" mvn
    if [ "$1" -eq 124 ] || [ "$1" -eq 137 ]; then
        die "mvn did not finish resolving Kafka $KV within ${MVN_TIMEOUT}s" \
            "Maven Central answers too slowly or not at all; nothing was installed" \
            "$SELF   (again later; PSCLAB_MVN_TIMEOUT=3600 allows longer)"
    elif grep -qE 'Could not find artifact|was not found in|Failure to find' "$2"; then
        die "Kafka $KV is not on Maven Central" \
            "mvn found no org.apache.kafka:kafka_2.13:$KV / kafka-tools:$KV (or one of their dependencies)" \
            "KAFKA_VERSION=3.7.1 $SELF   (or another published org.apache.kafka:kafka_2.13 version)"
    elif grep -qiE 'UnknownHost|Connect(ion)? (timed out|refused)|Could not transfer|unreachable|No route to host|Connection reset' "$2"; then
        die "Maven Central cannot be reached" \
            "mvn could not download the Kafka jars (network or proxy); nothing was installed" \
            "$SELF   (again once Maven Central answers; an HTTP proxy goes in ~/.m2/settings.xml)" \
            "or KAFKA_HOME=/path/to/unpacked/kafka_2.13-$KV $SELF"
    else
        die "mvn failed resolving Kafka $KV" "see the mvn output above; whole log: $(keep_log "$2" mvn)" \
            "$SELF   (once the error in that log is fixed)"
    fi
}

# The CLI wrappers: file, heap default (- = the run-class default), main class for 3.x,
# main class for 4.x. The class is checked in the jars; the other column is the fallback.
kafka_tools() {
    cat <<'EOF'
kafka-storage.sh - kafka.tools.StorageTool kafka.tools.StorageTool
kafka-topics.sh - org.apache.kafka.tools.TopicCommand org.apache.kafka.tools.TopicCommand
kafka-console-producer.sh -Xmx512M kafka.tools.ConsoleProducer org.apache.kafka.tools.ConsoleProducer
kafka-console-consumer.sh -Xmx512M kafka.tools.ConsoleConsumer org.apache.kafka.tools.consumer.ConsoleConsumer
kafka-broker-api-versions.sh - kafka.admin.BrokerApiVersionsCommand org.apache.kafka.tools.BrokerApiVersionsCommand
kafka-metadata-quorum.sh - org.apache.kafka.tools.MetadataQuorumCommand org.apache.kafka.tools.MetadataQuorumCommand
kafka-acls.sh - kafka.admin.AclCommand org.apache.kafka.tools.AclCommand
kafka-dump-log.sh - kafka.tools.DumpLogSegments kafka.tools.DumpLogSegments
EOF
}

write_log_config() { # write_log_config DIR  (DIR/config)
    local d=$1/config
    mkdir -p "$d"
    if [ "$KMAJOR" -eq 3 ]; then
        cat >"$d/log4j.properties" <<'EOF'
# Written by pscLab lab/deps/install.sh, as the Kafka 3.x release's config/log4j.properties.
# Unspecified loggers and loggers with additivity=true output to server.log and stdout.
log4j.rootLogger=INFO, stdout, kafkaAppender

log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.appender.kafkaAppender=org.apache.log4j.DailyRollingFileAppender
log4j.appender.kafkaAppender.DatePattern='.'yyyy-MM-dd-HH
log4j.appender.kafkaAppender.File=${kafka.logs.dir}/server.log
log4j.appender.kafkaAppender.layout=org.apache.log4j.PatternLayout
log4j.appender.kafkaAppender.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.appender.stateChangeAppender=org.apache.log4j.DailyRollingFileAppender
log4j.appender.stateChangeAppender.DatePattern='.'yyyy-MM-dd-HH
log4j.appender.stateChangeAppender.File=${kafka.logs.dir}/state-change.log
log4j.appender.stateChangeAppender.layout=org.apache.log4j.PatternLayout
log4j.appender.stateChangeAppender.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.appender.requestAppender=org.apache.log4j.DailyRollingFileAppender
log4j.appender.requestAppender.DatePattern='.'yyyy-MM-dd-HH
log4j.appender.requestAppender.File=${kafka.logs.dir}/kafka-request.log
log4j.appender.requestAppender.layout=org.apache.log4j.PatternLayout
log4j.appender.requestAppender.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.appender.cleanerAppender=org.apache.log4j.DailyRollingFileAppender
log4j.appender.cleanerAppender.DatePattern='.'yyyy-MM-dd-HH
log4j.appender.cleanerAppender.File=${kafka.logs.dir}/log-cleaner.log
log4j.appender.cleanerAppender.layout=org.apache.log4j.PatternLayout
log4j.appender.cleanerAppender.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.appender.controllerAppender=org.apache.log4j.DailyRollingFileAppender
log4j.appender.controllerAppender.DatePattern='.'yyyy-MM-dd-HH
log4j.appender.controllerAppender.File=${kafka.logs.dir}/controller.log
log4j.appender.controllerAppender.layout=org.apache.log4j.PatternLayout
log4j.appender.controllerAppender.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.appender.authorizerAppender=org.apache.log4j.DailyRollingFileAppender
log4j.appender.authorizerAppender.DatePattern='.'yyyy-MM-dd-HH
log4j.appender.authorizerAppender.File=${kafka.logs.dir}/kafka-authorizer.log
log4j.appender.authorizerAppender.layout=org.apache.log4j.PatternLayout
log4j.appender.authorizerAppender.layout.ConversionPattern=[%d] %p %m (%c)%n

# General broker logging level (server.log and stdout)
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO

# Request logging: DEBUG or TRACE to enable
log4j.logger.kafka.request.logger=WARN, requestAppender
log4j.additivity.kafka.request.logger=false
log4j.logger.kafka.network.RequestChannel$=WARN, requestAppender
log4j.additivity.kafka.network.RequestChannel$=false

# KRaft controller logging
log4j.logger.org.apache.kafka.controller=INFO, controllerAppender
log4j.additivity.org.apache.kafka.controller=false
log4j.logger.kafka.controller=TRACE, controllerAppender
log4j.additivity.kafka.controller=false

log4j.logger.kafka.log.LogCleaner=INFO, cleanerAppender
log4j.additivity.kafka.log.LogCleaner=false

log4j.logger.state.change.logger=INFO, stateChangeAppender
log4j.additivity.state.change.logger=false

# Access denials are logged at INFO level, DEBUG also logs allowed accesses
log4j.logger.kafka.authorizer.logger=INFO, authorizerAppender
log4j.additivity.kafka.authorizer.logger=false
EOF
        cat >"$d/tools-log4j.properties" <<'EOF'
# Written by pscLab lab/deps/install.sh, as the Kafka 3.x release's config/tools-log4j.properties.
log4j.rootLogger=WARN, stderr

log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.appender.stderr.Target=System.err
EOF
    else
        cat >"$d/log4j2.yaml" <<'EOF'
# Written by pscLab lab/deps/install.sh, as the Kafka 4.x release's config/log4j2.yaml.
# Unspecified loggers and loggers with additivity=true output to server.log and stdout.
Configuration:
  Properties:
    Property:
      # Fallback if the system property is not set
      - name: "kafka.logs.dir"
        value: "."
      - name: "logPattern"
        value: "[%d] %p %m (%c)%n"

  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "${logPattern}"

    RollingFile:
      - name: KafkaAppender
        fileName: "${sys:kafka.logs.dir}/server.log"
        filePattern: "${sys:kafka.logs.dir}/server.log.%d{yyyy-MM-dd-HH}"
        PatternLayout:
          pattern: "${logPattern}"
        TimeBasedTriggeringPolicy:
          modulate: true
          interval: 1
      - name: StateChangeAppender
        fileName: "${sys:kafka.logs.dir}/state-change.log"
        filePattern: "${sys:kafka.logs.dir}/state-change.log.%d{yyyy-MM-dd-HH}"
        PatternLayout:
          pattern: "${logPattern}"
        TimeBasedTriggeringPolicy:
          modulate: true
          interval: 1
      - name: RequestAppender
        fileName: "${sys:kafka.logs.dir}/kafka-request.log"
        filePattern: "${sys:kafka.logs.dir}/kafka-request.log.%d{yyyy-MM-dd-HH}"
        PatternLayout:
          pattern: "${logPattern}"
        TimeBasedTriggeringPolicy:
          modulate: true
          interval: 1
      - name: CleanerAppender
        fileName: "${sys:kafka.logs.dir}/log-cleaner.log"
        filePattern: "${sys:kafka.logs.dir}/log-cleaner.log.%d{yyyy-MM-dd-HH}"
        PatternLayout:
          pattern: "${logPattern}"
        TimeBasedTriggeringPolicy:
          modulate: true
          interval: 1
      - name: ControllerAppender
        fileName: "${sys:kafka.logs.dir}/controller.log"
        filePattern: "${sys:kafka.logs.dir}/controller.log.%d{yyyy-MM-dd-HH}"
        PatternLayout:
          pattern: "${logPattern}"
        TimeBasedTriggeringPolicy:
          modulate: true
          interval: 1
      - name: AuthorizerAppender
        fileName: "${sys:kafka.logs.dir}/kafka-authorizer.log"
        filePattern: "${sys:kafka.logs.dir}/kafka-authorizer.log.%d{yyyy-MM-dd-HH}"
        PatternLayout:
          pattern: "${logPattern}"
        TimeBasedTriggeringPolicy:
          modulate: true
          interval: 1

  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
        - ref: KafkaAppender
    Logger:
      - name: kafka
        level: INFO
      - name: org.apache.kafka
        level: INFO
      # Request logging: DEBUG or TRACE to enable
      - name: kafka.request.logger
        level: WARN
        additivity: false
        AppenderRef:
          ref: RequestAppender
      - name: kafka.network.RequestChannel$
        level: WARN
        additivity: false
        AppenderRef:
          ref: RequestAppender
      # KRaft controller logging
      - name: org.apache.kafka.controller
        level: INFO
        additivity: false
        AppenderRef:
          ref: ControllerAppender
      # Log cleaner (Scala class up to 4.0, Java classes from 4.1)
      - name: kafka.log.LogCleaner
        level: INFO
        additivity: false
        AppenderRef:
          ref: CleanerAppender
      - name: org.apache.kafka.storage.internals.log.LogCleaner
        level: INFO
        additivity: false
        AppenderRef:
          ref: CleanerAppender
      - name: org.apache.kafka.storage.internals.log.LogCleaner$CleanerThread
        level: INFO
        additivity: false
        AppenderRef:
          ref: CleanerAppender
      - name: org.apache.kafka.storage.internals.log.Cleaner
        level: INFO
        additivity: false
        AppenderRef:
          ref: CleanerAppender
      - name: state.change.logger
        level: INFO
        additivity: false
        AppenderRef:
          ref: StateChangeAppender
      # Access denials are logged at INFO level, DEBUG also logs allowed accesses
      - name: kafka.authorizer.logger
        level: INFO
        additivity: false
        AppenderRef:
          ref: AuthorizerAppender
EOF
        cat >"$d/tools-log4j2.yaml" <<'EOF'
# Written by pscLab lab/deps/install.sh, as the Kafka 4.x release's config/tools-log4j2.yaml.
Configuration:
  Properties:
    Property:
      - name: "logPattern"
        value: "[%d] %p %m (%c)%n"

  Appenders:
    Console:
      name: STDERR
      target: SYSTEM_ERR
      PatternLayout:
        pattern: "${logPattern}"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDERR
EOF
    fi
}

write_run_class() { # write_run_class FILE TOOLS_LOG_OPT
    cat >"$1" <<'EOF'
#!/usr/bin/env bash
# Written by pscLab lab/deps/install.sh for Apache Kafka @KAFKA_VERSION@ (jars from Maven Central).
# Behaves as the release's bin/kafka-run-class.sh: [-daemon] [-name NAME] [-loggc] CLASS [ARGS]
# Honours JAVA_HOME, KAFKA_HEAP_OPTS (-Xmx256M), KAFKA_JVM_PERFORMANCE_OPTS (G1),
# KAFKA_GC_LOG_OPTS, KAFKA_JMX_OPTS, JMX_PORT, KAFKA_LOG4J_OPTS (tools config), KAFKA_OPTS,
# LOG_DIR (-> -Dkafka.logs.dir, default <kafka home>/logs), CLASSPATH (before libs/*).
if [ $# -lt 1 ]; then
    echo "USAGE: $0 [-daemon] [-name servicename] [-loggc] classname [opts]" >&2
    exit 1
fi
base_dir=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")

CLASSPATH="${CLASSPATH:+$CLASSPATH:}$base_dir/libs/*"

if [ -z "${KAFKA_JMX_OPTS:-}" ]; then
    KAFKA_JMX_OPTS="-Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false"
fi
if [ -n "${JMX_PORT:-}" ]; then
    KAFKA_JMX_OPTS="$KAFKA_JMX_OPTS -Dcom.sun.management.jmxremote.port=$JMX_PORT"
    case $KAFKA_JMX_OPTS in
        *-Dcom.sun.management.jmxremote.rmi.port=*) ;;
        *) KAFKA_JMX_OPTS="$KAFKA_JMX_OPTS -Dcom.sun.management.jmxremote.rmi.port=$JMX_PORT" ;;
    esac
fi

if [ -z "${LOG_DIR:-}" ]; then
    LOG_DIR="$base_dir/logs"
fi

if [ -z "${KAFKA_LOG4J_OPTS:-}" ]; then
    # Log to the console (stderr, WARN). This is a tool.
    KAFKA_LOG4J_OPTS="@TOOLS_LOG_OPT@"
else
    # A server: its config writes files into LOG_DIR.
    mkdir -p "$LOG_DIR"
fi
KAFKA_LOG4J_OPTS="-Dkafka.logs.dir=$LOG_DIR $KAFKA_LOG4J_OPTS"

KAFKA_OPTS="${KAFKA_OPTS:-}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx256M}"
if [ -z "${KAFKA_JVM_PERFORMANCE_OPTS:-}" ]; then
    KAFKA_JVM_PERFORMANCE_OPTS="-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true"
fi

if [ -z "${JAVA_HOME:-}" ]; then
    JAVA="java"
else
    JAVA="$JAVA_HOME/bin/java"
fi

DAEMON_NAME=""
DAEMON_MODE=""
GC_LOG_ENABLED=""
CONSOLE_OUTPUT_FILE=""
while [ $# -gt 0 ]; do
    case $1 in
        -name)
            DAEMON_NAME=$2
            CONSOLE_OUTPUT_FILE="$LOG_DIR/$DAEMON_NAME.out"
            shift 2
            ;;
        -loggc)
            if [ -z "${KAFKA_GC_LOG_OPTS:-}" ]; then
                GC_LOG_ENABLED="true"
            fi
            shift
            ;;
        -daemon)
            DAEMON_MODE="true"
            shift
            ;;
        *)
            break
            ;;
    esac
done

if [ "$GC_LOG_ENABLED" = "true" ]; then
    GC_LOG_FILE_NAME="${DAEMON_NAME:-kafka}-gc.log"
    KAFKA_GC_LOG_OPTS="-Xlog:gc*:file=$LOG_DIR/$GC_LOG_FILE_NAME:time,tags:filecount=10,filesize=100M"
fi
KAFKA_GC_LOG_OPTS="${KAFKA_GC_LOG_OPTS:-}"

# The option variables are lists of words, as in the release scripts: split them, no globbing.
set -f
if [ "$DAEMON_MODE" = "true" ]; then
    mkdir -p "$LOG_DIR"
    nohup "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_GC_LOG_OPTS $KAFKA_JMX_OPTS \
        $KAFKA_LOG4J_OPTS -cp "$CLASSPATH" $KAFKA_OPTS "$@" >"${CONSOLE_OUTPUT_FILE:-$LOG_DIR/kafka.out}" 2>&1 </dev/null &
else
    exec "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_GC_LOG_OPTS $KAFKA_JMX_OPTS \
        $KAFKA_LOG4J_OPTS -cp "$CLASSPATH" $KAFKA_OPTS "$@"
fi
EOF
    sed -i -e "s|@KAFKA_VERSION@|$KV|g" -e "s|@TOOLS_LOG_OPT@|$2|g" "$1"
}

write_server_start() { # write_server_start FILE SERVER_LOG_OPT
    cat >"$1" <<'EOF'
#!/usr/bin/env bash
# Written by pscLab lab/deps/install.sh for Apache Kafka @KAFKA_VERSION@.
# Behaves as the release's bin/kafka-server-start.sh: [-daemon] server.properties [--override k=v]*
# Heap -Xmx1G -Xms1G unless KAFKA_HEAP_OPTS is set; logs to stdout and $LOG_DIR/server.log etc.
if [ $# -lt 1 ]; then
    echo "USAGE: $0 [-daemon] server.properties [--override property=value]*"
    exit 1
fi
bin_dir=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
base_dir=$(dirname "$bin_dir")

if [ -z "${KAFKA_LOG4J_OPTS:-}" ]; then
    export KAFKA_LOG4J_OPTS="@SERVER_LOG_OPT@"
fi
if [ -z "${KAFKA_HEAP_OPTS:-}" ]; then
    export KAFKA_HEAP_OPTS="-Xmx1G -Xms1G"
fi

EXTRA_ARGS=${EXTRA_ARGS-'-name kafkaServer -loggc'}
case $1 in
    -daemon)
        EXTRA_ARGS="-daemon $EXTRA_ARGS"
        shift
        ;;
esac
# EXTRA_ARGS is a list of words, as in the release script.
# shellcheck disable=SC2086
exec "$bin_dir/kafka-run-class.sh" $EXTRA_ARGS kafka.Kafka "$@"
EOF
    sed -i -e "s|@KAFKA_VERSION@|$KV|g" -e "s|@SERVER_LOG_OPT@|$2|g" "$1"
}

write_tool() { # write_tool FILE HEAP CLASS
    {
        printf '#!/usr/bin/env bash\n'
        printf '# Written by pscLab lab/deps/install.sh for Apache Kafka %s: as the release'"'"'s bin/%s.\n' "$KV" "$(basename "$1")"
        printf 'bin_dir=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")\n'
        if [ "$2" != "-" ]; then
            printf 'if [ -z "${KAFKA_HEAP_OPTS:-}" ]; then\n    export KAFKA_HEAP_OPTS="%s"\nfi\n' "$2"
        fi
        printf 'exec "$bin_dir/kafka-run-class.sh" %s "$@"\n' "$3"
    } >"$1"
}

# Everything but the jars: config/, bin/, VERSION. Checks each main class in the jars.
write_kafka_files() { # write_kafka_files DIR
    local dir=$1 tools_opt server_opt classes file heap c3 c4 cls alt
    write_log_config "$dir"
    if [ "$KMAJOR" -eq 3 ]; then
        tools_opt='-Dlog4j.configuration=file:$base_dir/config/tools-log4j.properties'
        server_opt='-Dlog4j.configuration=file:$base_dir/config/log4j.properties'
    else
        tools_opt='-Dlog4j2.configurationFile=$base_dir/config/tools-log4j2.yaml'
        server_opt='-Dlog4j2.configurationFile=$base_dir/config/log4j2.yaml'
    fi
    mkdir -p "$dir/bin"
    classes="$dir/.classes"
    for file in "$dir"/libs/*.jar; do
        unzip -Z1 "$file" || die "cannot list $file" "unzip failed: a damaged jar?" "apt-get install -y unzip; $SELF"
    done | grep '\.class$' >"$classes"
    grep -qFx 'kafka/Kafka.class' "$classes" ||
        die "kafka.Kafka is not in the jars of Kafka $KV" "the Maven artifacts differ from what this installer knows" \
            "KAFKA_VERSION=3.7.1 $SELF"
    write_run_class "$dir/bin/kafka-run-class.sh" "$tools_opt"
    write_server_start "$dir/bin/kafka-server-start.sh" "$server_opt"
    while read -r file heap c3 c4; do
        if [ "$KMAJOR" -eq 3 ]; then cls=$c3 alt=$c4; else cls=$c4 alt=$c3; fi
        if ! grep -qFx "${cls//.//}.class" "$classes"; then
            grep -qFx "${alt//.//}.class" "$classes" ||
                die "no main class for $file in Kafka $KV (neither $cls nor $alt)" \
                    "the Maven artifacts differ from what this installer knows" "KAFKA_VERSION=3.7.1 $SELF"
            cls=$alt
        fi
        write_tool "$dir/bin/$file" "$heap" "$cls"
        printf '%s %s\n' "$file" "$cls" >>"$dir/.mainclasses"
    done < <(kafka_tools)
    rm -f "$classes"
    chmod 755 "$dir"/bin/*.sh
    printf '%s\n' "$KV" >"$dir/VERSION"
}

kafka_stamp() {
    printf 'kafka=%s\nartifacts=%s\nrecipe=%s\n' "$KV" "$(kafka_artifacts | tr '\n' ' ')" \
        "$(declare -f kafka_artifacts resolve_kafka_jars kafka_tools write_log_config write_run_class write_server_start write_tool write_kafka_files | sha256sum | cut -c1-16)"
}

step_kafka() {
    local t0 want libs_key tmp
    t0=$(now_ms)
    if [ -n "${KAFKA_HOME:-}" ]; then
        if [ -f "$KAFKA_HOME/bin/kafka-server-start.sh" ] || compgen -G "$KAFKA_HOME/libs/kafka_2.13-*.jar" >/dev/null; then
            say "kafka: using KAFKA_HOME=$KAFKA_HOME as is"
            return 0
        fi
        die "KAFKA_HOME=$KAFKA_HOME holds no Kafka" \
            "neither bin/kafka-server-start.sh nor libs/kafka_2.13-*.jar is there, and pscLab uses KAFKA_HOME as given" \
            "unset KAFKA_HOME; $SELF   (installs Kafka $KV into $CACHE/kafka-$KV)" \
            "or point KAFKA_HOME at an unpacked kafka_2.13-$KV release"
    fi
    check_java
    want=$(kafka_stamp)
    if [ -f "$KH/.psclab-stamp" ] && [ "$(cat "$KH/.psclab-stamp")" = "$want" ]; then
        say "kafka: $KV present in $KH ($(since "$t0"))"
        return 0
    fi
    need_cache
    if [ -f "$KH/.psclab-stamp" ] && [ "$(cat "$KH/.psclab-stamp")" = "$want" ]; then
        say "kafka: $KV present in $KH, installed meanwhile ($(since "$t0"))"
        return 0
    fi
    libs_key="kafka=$KV artifacts=$(kafka_artifacts | tr '\n' ' ')"
    tmp=$(mktemp -d "$CACHE/.kafka-$KV.tmp.XXXXXX")
    TMPS+=("$tmp")
    chmod 755 "$tmp"
    if [ -f "$KH/.psclab-stamp" ] && [ -f "$KH/.psclab-libs" ] && [ "$(cat "$KH/.psclab-libs")" = "$libs_key" ]; then
        # Same jars, newer wrappers: reuse the jars (hard links).
        cp -al "$KH/libs" "$tmp/libs"
        [ ! -f "$KH/.psclab-artifacts" ] || cp -a "$KH/.psclab-artifacts" "$tmp/"
        say "kafka: $KV jars reused, rewriting bin/ and config/"
    else
        command -v mvn >/dev/null 2>&1 ||
            die "mvn not found" "Kafka's jars are resolved from Maven Central with Maven" "apt-get install -y maven"
        say "kafka: resolving $KV from Maven Central (about a minute)"
        resolve_kafka_jars "$tmp"
    fi
    write_kafka_files "$tmp"
    printf '%s\n' "$libs_key" >"$tmp/.psclab-libs"
    printf '%s\n' "$want" >"$tmp/.psclab-stamp"
    swap_in "$tmp" "$KH"
    say "kafka: $KV installed in $KH, $(ls "$KH/libs" | wc -l) jars ($(since "$t0"))"
}

# ---------------------------------------------------------------- c. kafka-proxy
# Two roads, and the output names the one taken:
#   archive    kafka-proxy-<tag>.tar.gz from $KAFKA_PROXY_SRC (default: shared/third_party/
#              kafka-proxy beside the repository, when that folder exists), checked against the
#              folder's SHA256SUMS, unpacked and built offline (go build -mod=vendor, GOPROXY=off,
#              GOTOOLCHAIN=local) with the version link flag;
#   go install github.com/grepplabs/kafka-proxy@<tag> where the module proxy serves it
#              (KAFKA_PROXY_SRC set to the empty string, or no source folder at all).
# Built: $KAFKA_PROXY_VERSION (what pscLab runs) and every tag in $KAFKA_PROXY_EXTRA_VERSIONS
# (default v0.4.3: Kafka 4.0 support and --deterministic-listeners, used by the topologies that
# name it). Anything that fails is an error; nothing half-built is left in the cache.
GO_BIN=""
find_go() {
    local c v maj min
    local -a cands=()
    [ -z "$GO_BIN" ] || return 0
    [ -z "${GO:-}" ] || cands+=("$GO")
    cands+=("$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go)
    mapfile -t -O "${#cands[@]}" cands < <(ls -d /usr/lib/go-1.*/bin/go 2>/dev/null | sort -rV || true)
    for c in "${cands[@]}"; do
        [ -n "$c" ] && [ -x "$c" ] || continue
        v=$(cd / && GOTOOLCHAIN=local "$c" version 2>/dev/null | sed -n 's/.* go\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
        read -r maj min <<<"${v:-0 0}"
        if [ "$maj" -gt 1 ] || { [ "$maj" -eq 1 ] && [ "$min" -ge 23 ]; }; then
            GO_BIN=$c
            return 0
        fi
    done
    die "no Go 1.23 or later (looked at \$GO, PATH, /usr/local/go/bin/go, /usr/lib/go-1.*/bin/go)" \
        "kafka-proxy is built from source; its go.mod asks Go 1.22 (v0.3.x) or 1.23 (v0.4.x), and an offline build cannot fetch a toolchain" \
        "GO=/path/to/go $SELF   (a Go 1.23+ binary, e.g. from a Go tarball in /usr/local/go)" \
        "or KAFKA_PROXY_BIN=/path/to/kafka-proxy $SELF   (a kafka-proxy built elsewhere)"
}

# Where the source archives are: PROXY_SRC (empty: the go install road), PROXY_SRC_HOW (why).
REPO_ROOT=$(cd "$DEPS_DIR/../.." && pwd)
PROXY_SRC="" PROXY_SRC_HOW=""
if [ "${KAFKA_PROXY_SRC+set}" = set ]; then
    PROXY_SRC=$KAFKA_PROXY_SRC
    PROXY_SRC_HOW="KAFKA_PROXY_SRC"
    if [ -n "$PROXY_SRC" ] && [ ! -d "$PROXY_SRC" ]; then
        die "KAFKA_PROXY_SRC=$PROXY_SRC is not a folder" \
            "it names the folder of kafka-proxy-<tag>.tar.gz archives and their SHA256SUMS" \
            "KAFKA_PROXY_SRC=/path/to/shared/third_party/kafka-proxy $SELF" \
            "or KAFKA_PROXY_SRC= $SELF   (go install from the module proxy instead)"
    fi
elif [ -d "$REPO_ROOT/../shared/third_party/kafka-proxy" ]; then
    PROXY_SRC=$(cd "$REPO_ROOT/../shared/third_party/kafka-proxy" && pwd)
    PROXY_SRC_HOW="the default, beside the repository"
fi

go_env() { # go_env TMPDIR CMD...: run go with everything it writes under the cache
    local tmp=$1
    shift
    mkdir -p "$CACHE/go/config"
    env CGO_ENABLED=0 GOPATH="$CACHE/go" GOMODCACHE="$CACHE/go/pkg/mod" GOCACHE="$CACHE/go/cache" \
        GOENV=off XDG_CONFIG_HOME="$CACHE/go/config" GOFLAGS=-modcacherw \
        timeout --kill-after=30 "$GO_TIMEOUT" "$@"
}

go_fail() { # go_fail RC LOG TAG ROAD
    local tag=$3 road=$4
    show_log_tail "$2" go
    if [ "$1" -eq 124 ] || [ "$1" -eq 137 ]; then
        die "building kafka-proxy $tag ($road) did not finish within ${GO_TIMEOUT}s" \
            "go was still running; nothing was installed" \
            "$SELF   (again later; PSCLAB_GO_TIMEOUT=3600 allows longer)"
    elif [ "$road" = archive ]; then
        die "go build of kafka-proxy $tag from $PROXY_SRC/kafka-proxy-$tag.tar.gz failed" \
            "see the go output above; whole log: $(keep_log "$2" go); nothing was installed" \
            "GO=/path/to/go $SELF   (its go.mod asks Go 1.22 or 1.23; this was $GO_BIN)"
    elif grep -qE '403 Forbidden|This module version is not available' "$2"; then
        die "kafka-proxy $tag cannot be had: the Go module proxy refuses $PROXY_MODULE@$tag (403, 'This module version is not available')" \
            "no source archive was given ($( [ -n "$PROXY_SRC_HOW" ] && echo "KAFKA_PROXY_SRC is empty" || echo "no shared/third_party/kafka-proxy beside $REPO_ROOT")), so the go install road was taken" \
            "KAFKA_PROXY_SRC=/path/to/shared/third_party/kafka-proxy $SELF   (the folder of kafka-proxy-<tag>.tar.gz and SHA256SUMS)" \
            "or KAFKA_PROXY_BIN=/path/to/kafka-proxy $SELF   (a binary built elsewhere)"
    elif grep -qE 'unknown revision|invalid version|no matching versions|not found: |404 Not Found|410 Gone' "$2"; then
        die "kafka-proxy $tag does not exist" "the Go module proxy has no such tag of $PROXY_MODULE" \
            "KAFKA_PROXY_VERSION=v0.3.11 $SELF"
    elif grep -qE 'dial tcp|lookup .*(no such host|server misbehaving)|i/o timeout|connection refused|network is unreachable|TLS handshake timeout' "$2"; then
        die "the Go module proxy cannot be reached" \
            "go could not download $PROXY_MODULE@$tag or its modules (network or proxy); nothing was installed" \
            "$SELF   (again once the module proxy answers; GOPROXY/HTTPS_PROXY are honoured)" \
            "or KAFKA_PROXY_SRC=/path/to/shared/third_party/kafka-proxy $SELF"
    else
        die "go install of kafka-proxy $tag failed" "see the go output above; whole log: $(keep_log "$2" go)" \
            "GO=$GO_BIN $SELF   (once the error in that log is fixed)"
    fi
}

# proxy_archive TAG: check the archive of TAG against SHA256SUMS; prints its sha256.
proxy_archive() {
    local tag=$1 a sums want got have
    a="$PROXY_SRC/kafka-proxy-$tag.tar.gz"
    sums="$PROXY_SRC/SHA256SUMS"
    if [ ! -f "$a" ]; then
        have=$(cd "$PROXY_SRC" && ls kafka-proxy-v*.tar.gz 2>/dev/null | sed 's/^kafka-proxy-//; s/\.tar\.gz$//' | tr '\n' ' ')
        die "no source archive for kafka-proxy $tag: $a does not exist" \
            "kafka-proxy is built from $PROXY_SRC ($PROXY_SRC_HOW), which has: ${have:-no archives}" \
            "KAFKA_PROXY_VERSION=<one of: ${have:-none}> $SELF" \
            "or put kafka-proxy-$tag.tar.gz (git archive of the tag, with vendor/) and its line in SHA256SUMS there" \
            "or KAFKA_PROXY_SRC= $SELF   (go install from the module proxy instead)"
    fi
    [ -f "$sums" ] ||
        die "$sums does not exist" "every archive in $PROXY_SRC is checked against it before it is built" \
            "put the SHA256SUMS that came with the archives beside them"
    want=$(awk -v f="kafka-proxy-$tag.tar.gz" '$2 == f || $2 == "*" f { print $1; exit }' "$sums")
    [ -n "$want" ] ||
        die "$sums has no line for kafka-proxy-$tag.tar.gz" "an archive without a checksum is not built" \
            "add its line (sha256sum kafka-proxy-$tag.tar.gz, from where the archive was made) to $sums"
    got=$(sha256sum <"$a" | cut -d' ' -f1)
    [ "$got" = "$want" ] ||
        die "checksum mismatch: $a" \
            "its sha256 is $got, $sums says $want: the archive is damaged or not the one the list was made for; nothing was built" \
            "replace $a with the archive that SHA256SUMS belongs to (or the list with the archive's own)"
    printf '%s\n' "$got"
}

step_proxy_build() { # step_proxy_build TMPDIR TAG ROAD SHA
    local tmp=$1 tag=$2 road=$3 rc=0 out src
    if [ "$road" = archive ]; then
        src="$tmp/src"
        mkdir -p "$src"
        tar -xzf "$PROXY_SRC/kafka-proxy-$tag.tar.gz" -C "$src" --no-same-owner ||
            die "cannot unpack $PROXY_SRC/kafka-proxy-$tag.tar.gz" "tar failed (see above); nothing was installed" \
                "replace the archive; check free space in $CACHE"
        src="$src/kafka-proxy-$tag"
        [ -f "$src/go.mod" ] && [ -d "$src/vendor" ] ||
            die "$PROXY_SRC/kafka-proxy-$tag.tar.gz has no kafka-proxy-$tag/go.mod and vendor/" \
                "an offline build needs the project's own vendor/ folder" \
                "make it with: git archive --prefix=kafka-proxy-$tag/ of the tag, after 'go mod vendor'"
        (cd "$src" && go_env "$tmp" env GOPROXY=off GOTOOLCHAIN=local "$GO_BIN" build -mod=vendor -trimpath \
            -ldflags "-X $PROXY_MODULE/config.Version=$tag" -o "$tmp/bin/kafka-proxy" . \
            >"$tmp/go.log" 2>&1) || rc=$?
        rm -rf -- "$tmp/src"
    else
        (cd / && go_env "$tmp" env GOBIN="$tmp/bin" "$GO_BIN" install \
            -ldflags "-X $PROXY_MODULE/config.Version=$tag" "$PROXY_MODULE@$tag" >"$tmp/go.log" 2>&1) || rc=$?
    fi
    [ "$rc" -eq 0 ] || go_fail "$rc" "$tmp/go.log" "$tag" "$road"
    [ -x "$tmp/bin/kafka-proxy" ] ||
        die "the build of kafka-proxy $tag left no binary" "go succeeded but wrote nothing; log: $(keep_log "$tmp/go.log" go)" "$SELF"
    out=$(timeout 10 "$tmp/bin/kafka-proxy" version 2>&1 || true)
    if ! grep -qF "$tag" <<<"$out"; then
        die "kafka-proxy $tag built but 'kafka-proxy version' says '$out'" \
            "the -X $PROXY_MODULE/config.Version link flag did not apply to this tag" \
            "fix PROXY_MODULE/-ldflags in $SELF for $tag"
    fi
    rm -f "$tmp/go.log"
    if [ "$road" = archive ]; then
        printf 'road=archive\narchive=%s\nsha256=%s\n' "$PROXY_SRC/kafka-proxy-$tag.tar.gz" "$4" >"$tmp/SOURCE"
    else
        printf 'road=go install\nmodule=%s@%s\n' "$PROXY_MODULE" "$tag" >"$tmp/SOURCE"
    fi
}

proxy_one() { # proxy_one TAG: kafka-proxy TAG in $CACHE/kafka-proxy-TAG/bin/kafka-proxy
    local tag=$1 t0 want dir bin tmp road sha="" how
    t0=$(now_ms)
    [[ $tag =~ ^v(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$ ]] ||
        die "'$tag' is not a kafka-proxy release tag" \
            "KAFKA_PROXY_VERSION and KAFKA_PROXY_EXTRA_VERSIONS take vMAJOR.MINOR.PATCH tags (e.g. v0.3.11, v0.4.3)" \
            "KAFKA_PROXY_VERSION=v0.3.11 KAFKA_PROXY_EXTRA_VERSIONS=v0.4.3 $SELF"
    dir="$CACHE/kafka-proxy-$tag"
    bin="$dir/bin/kafka-proxy"
    if [ -n "$PROXY_SRC" ]; then
        road=archive
        sha=$(proxy_archive "$tag")
        how="from $PROXY_SRC/kafka-proxy-$tag.tar.gz ($PROXY_SRC_HOW; sha256 ${sha:0:12}... matches SHA256SUMS)"
    else
        road="go install"
        how="with go install $PROXY_MODULE@$tag from the Go module proxy (no source folder)"
    fi
    want=$(printf 'kafka-proxy=%s\nroad=%s\nsha256=%s\nrecipe=%s\n' "$tag" "$road" "$sha" \
        "$(declare -f step_proxy_build go_env | sha256sum | cut -c1-16)")
    if [ -f "$dir/.psclab-stamp" ] && [ -x "$bin" ] && [ "$(cat "$dir/.psclab-stamp")" = "$want" ]; then
        say "kafka-proxy: $tag present at $bin, built $how ($(since "$t0"))"
        return 0
    fi
    find_go
    need_cache
    if [ -f "$dir/.psclab-stamp" ] && [ -x "$bin" ] && [ "$(cat "$dir/.psclab-stamp")" = "$want" ]; then
        say "kafka-proxy: $tag present at $bin, installed meanwhile ($(since "$t0"))"
        return 0
    fi
    say "kafka-proxy: building $tag $how with $GO_BIN ($(cd / && GOTOOLCHAIN=local "$GO_BIN" env GOVERSION); about 30 s)"
    tmp=$(mktemp -d "$CACHE/.kafka-proxy-$tag.tmp.XXXXXX")
    TMPS+=("$tmp")
    chmod 755 "$tmp"
    step_proxy_build "$tmp" "$tag" "$road" "$sha"
    printf '%s\n' "$want" >"$tmp/.psclab-stamp"
    swap_in "$tmp" "$dir"
    say "kafka-proxy: $tag installed at $bin, built $how ($(since "$t0"))"
}

step_proxy() {
    local tag
    local -a tags=("$PV")
    if [ -n "${KAFKA_PROXY_BIN:-}" ]; then
        if [ -f "$KAFKA_PROXY_BIN" ] && [ -x "$KAFKA_PROXY_BIN" ]; then
            say "kafka-proxy: using KAFKA_PROXY_BIN=$KAFKA_PROXY_BIN as is (nothing built)"
            return 0
        fi
        die "KAFKA_PROXY_BIN=$KAFKA_PROXY_BIN is not an executable file" \
            "pscLab runs KAFKA_PROXY_BIN as given" \
            "unset KAFKA_PROXY_BIN; $SELF   (builds kafka-proxy $PV into $CACHE/kafka-proxy-$PV)"
    fi
    if [ "${PSCLAB_SKIP_KAFKA_PROXY:-0}" = 1 ]; then
        say "kafka-proxy: left out (PSCLAB_SKIP_KAFKA_PROXY=1): the proxy approach will not run"
        return 0
    fi
    for tag in ${KAFKA_PROXY_EXTRA_VERSIONS-v0.4.3}; do
        [ "$tag" = "$PV" ] || tags+=("$tag")
    done
    for tag in "${tags[@]}"; do
        proxy_one "$tag"
    done
    # what an older install.sh left when the module proxy refused
    rm -f -- "$CACHE"/kafka-proxy-*/.unavailable 2>/dev/null || true
}

# ---------------------------------------------------------------- d. the Go client's modules
# lab/kclient (psclab-kclient: franz-go and Sarama, the changefeed's own Kafka libraries) is
# built by make; its modules come from the Go module proxy, fetched here once.
step_kclient() {
    local t0 dir log rc=0
    t0=$(now_ms)
    dir="$DEPS_DIR/../kclient"
    [ -f "$dir/go.mod" ] || return 0
    find_go
    local v maj min
    v=$(cd / && GOTOOLCHAIN=local "$GO_BIN" version 2>/dev/null | sed -n 's/.* go\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
    read -r maj min <<<"${v:-0 0}"
    if ! { [ "$maj" -gt 1 ] || { [ "$maj" -eq 1 ] && [ "$min" -ge 26 ]; }; }; then
        die "$GO_BIN is Go $maj.$min; lab/kclient needs Go 1.26 or later" \
            "franz-go v1.22 and Sarama v1.61 (the changefeed's Kafka libraries) declare go 1.26" \
            "GO=/path/to/go1.26 $SELF"
    fi
    log=$(mktemp)
    TMPS+=("$log")
    (cd "$dir" && GOTOOLCHAIN=local timeout --kill-after=30 "$GO_TIMEOUT" "$GO_BIN" mod download >"$log" 2>&1) || rc=$?
    if [ "$rc" -ne 0 ]; then
        show_log_tail "$log" go
        die "go mod download for lab/kclient failed" \
            "psclab-kclient needs franz-go and Sarama from the Go module proxy; see the go output above" \
            "$SELF   (again once the module proxy answers; GOPROXY/HTTPS_PROXY are honoured)"
    fi
    say "kclient: Go modules of lab/kclient present ($(since "$t0"))"
}

# ---------------------------------------------------------------- run
step_apt
step_kafka
step_proxy
step_kclient
say "KAFKA_HOME_RESOLVED=$KH"
say "KAFKA_PROXY_BIN_RESOLVED=$PB"
say "done in $(since "$T_START") (source lab/deps/paths.sh for these paths)"
