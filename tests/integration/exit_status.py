"""exit_status: scobot's exit statuses, read from src/core/host.h so that the
tests never carry their own copy of the numbers, and systemd's names for them
(systemd.exec(5), "Process Exit Codes"), which host.h must use."""
import os
import re

_HOST_H = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "core", "host.h")

# systemd.exec(5), "Process Exit Codes": the LSB numbers systemctl prints by name.
SYSTEMD_NAMES = {0: "SUCCESS", 1: "FAILURE", 2: "INVALIDARGUMENT", 3: "NOTIMPLEMENTED",
                 4: "NOPERMISSION", 5: "NOTINSTALLED", 6: "NOTCONFIGURED", 7: "NOTRUNNING"}


def _read():
    text = open(_HOST_H).read()
    body = text[text.index("enum scobot_exit"):]
    body = body[:body.index("};")]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"SCOBOT_EXIT_(\w+)\s*=\s*(\d+)", body)}


EXIT = _read()
OK = EXIT["OK"]
NOT_ANSWERED = EXIT["NOT_ANSWERED"]
USAGE = EXIT["USAGE"]
CONFIG = EXIT["CONFIG"]
FACTS = EXIT["FACTS"]
DISCORD_AUTH = EXIT["DISCORD_AUTH"]
MATRIX_AUTH = EXIT["MATRIX_AUTH"]
RUNTIME = EXIT["RUNTIME"]
# What the units list in RestartPreventExitStatus=: no restart can fix these.
FATAL = {USAGE, CONFIG, FACTS, DISCORD_AUTH, MATRIX_AUTH}
