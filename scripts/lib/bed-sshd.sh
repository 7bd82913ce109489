# shellcheck shell=bash
# The sshd settings every SSH test host shares (scripts/remote-hosts-testbed.sh,
# service-hosts-testbed.sh): public keys only, no root, no PAM, no TTY, no forwarding of any kind.
# Sourced, never run. The caller writes its host's own lines (ListenAddress, HostKey, PidFile,
# AuthorizedKeysFile, AllowUsers, ...) and appends these.
bed_sshd_key_only() {
  cat <<'EOF_SSHD'
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UsePAM no
StrictModes yes
PermitTTY no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
UseDNS no
PrintMotd no
LogLevel VERBOSE
EOF_SSHD
}
