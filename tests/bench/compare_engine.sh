#!/bin/bash
# compare_engine.sh BASE_REV: instructions per answer of the engine (callgrind,
# engine_answer inclusive) for each bench_engine input set, at BASE_REV and in
# this working tree, built the same way (release, gcc -O2 driver). Counts are
# repeatable whatever else the machine does, unlike timings.
#
#   bash tests/bench/compare_engine.sh afa109e
set -eu
cd "$(dirname "$0")/../.."
base=${1:?usage: compare_engine.sh BASE_REV}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1; rm -rf "$work"' EXIT
git worktree add -q --detach "$work/base" "$base"
build() { # tree, build dir, extra cflags
	meson setup "$2" "$1" --buildtype=release >/dev/null
	ninja -C "$2" src/core/libcore.a src/core/libfacts.a src/util/libutil.a >/dev/null
	gcc -O2 $3 -I "$1/src" -I "$2" -I tests/bench tests/bench/engine_insns.c \
		"$2/src/core/libcore.a" "$2/src/core/libfacts.a" "$2/src/util/libutil.a" \
		-lcjson -lm -o "$2/engine_insns"
}
# Both trees answer for the same day when the base's query has one; a base
# without it (before issue 13) answers as it always did.
today() { grep -q 'int32_t today;' "$1/src/core/engine.h" && echo -DENGINE_QUERY_TODAY || true; }
build "$work/base" "$work/build-base" "$(today "$work/base")"
build "$PWD" "$work/build-new" "$(today "$PWD")"
names=("commands (en)" "questions (en)" "commands (ru)" "questions (ru)" "commands (zh)" "questions (zh)")
count() { # binary, set
	valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$1" "$2" >/dev/null 2>&1
	callgrind_annotate --inclusive=yes "$work/cg" | awk '/engine_answer/ {gsub(",", "", $1); print $1; exit}'
}
printf '%-16s %14s %14s %8s\n' set "base instr/ans" "new instr/ans" change
for k in 0 1 2 3 4 5; do
	b=$(count "$work/build-base/engine_insns" $k)
	n=$(count "$work/build-new/engine_insns" $k)
	awk -v s="${names[$k]}" -v b="$b" -v n="$n" \
		'BEGIN { printf "%-16s %14.0f %14.0f %+7.1f%%\n", s, b / 1000, n / 1000, (n - b) * 100 / b }'
done
