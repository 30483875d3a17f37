# Shared by bench/run and bench/tier (sourced, not run).

# A JDK 25, found the way ./strata finds it (./strata selects it for the server by itself).
find_jdk() {
  local c v
  for c in "${STRATA_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/*-25-* \
           /usr/lib/jvm/jdk-2[5-9]* /usr/lib/jvm/temurin-2[6-9]-jdk-* /opt/java/openjdk; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] && [ -f "$c/release" ] || continue
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$c/release")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$c"; return 0; fi
  done
  return 1
}

is_mounted() {
  awk -v mp="$1" '$2 == mp { found = 1 } END { exit !found }' /proc/mounts
}
