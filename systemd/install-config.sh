#!/bin/sh
# install-config.sh SOURCE CONFDIR: installs SOURCE as CONFDIR/scobot.conf
# (under $DESTDIR) unless a scobot.conf is already there; an operator's file is
# never replaced, so an upgrade keeps the running configuration.
set -eu
src=$1
dir=${DESTDIR:-}$2
dst=$dir/scobot.conf
if [ -e "$dst" ]; then
	echo "scobot: keeping the existing $dst"
	exit 0
fi
install -d -m 0755 "$dir"
install -m 0644 "$src" "$dst"
echo "scobot: installed the example config as $dst"
