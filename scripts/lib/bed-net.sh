# shellcheck shell=bash
# Network plumbing of the test beds (scripts/swarm-testbed.sh, remote-hosts-testbed.sh,
# service-hosts-testbed.sh): a Linux bridge in the root namespace, a network namespace per test
# host with one veth on the bridge (eth0 inside, default route via the bridge), and the iptables
# rules that keep the bed's traffic on this machine. Sourced, never run. Before calling anything the
# caller sets BRIDGE, BRIDGE_ADDR (the bridge's own address, the hosts' gateway, in a /24) and
# RULE_COMMENT (tags every rule, so `down` finds them), and calls bed_rules once.

# bed_rules KIND: the two rules of the bed, in BED_RULE_ACCEPT and BED_RULE_DROP. Anything routed out
# of the bed is dropped; what is accepted first depends on KIND:
#   between   traffic between the bed's own ports (the machine's dockerd sets FORWARD's policy to
#             DROP, and bridged frames pass FORWARD with br_netfilter)
#   replies   replies to connections opened from outside the bed (the machine's containers calling a
#             test host; Docker masquerades them)
bed_rules() {
  # shellcheck disable=SC2054  # ESTABLISHED,RELATED is one argument of --ctstate, not two elements
  case "$1" in
    between) BED_RULE_ACCEPT=(-i "$BRIDGE" -o "$BRIDGE" -m comment --comment "$RULE_COMMENT" -j ACCEPT) ;;
    replies) BED_RULE_ACCEPT=(-i "$BRIDGE" -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment "$RULE_COMMENT" -j ACCEPT) ;;
    *) echo "bed_rules: unknown kind $1" >&2; return 2 ;;
  esac
  BED_RULE_DROP=(-i "$BRIDGE" ! -o "$BRIDGE" -m comment --comment "$RULE_COMMENT" -j DROP)
}

# DOCKER-USER is Docker's place for user rules and is kept across dockerd restarts; without it (no
# dockerd ever ran) FORWARD itself is used.
bed_fw_chain() { if iptables -w -n -L DOCKER-USER >/dev/null 2>&1; then echo DOCKER-USER; else echo FORWARD; fi; }

# Inserted at the top (in this order the ACCEPT ends up first), before Docker's own rules.
bed_fw_add() {
  local chain; chain="$(bed_fw_chain)"
  iptables -w -C "$chain" "${BED_RULE_DROP[@]}" 2>/dev/null || iptables -w -I "$chain" 1 "${BED_RULE_DROP[@]}"
  iptables -w -C "$chain" "${BED_RULE_ACCEPT[@]}" 2>/dev/null || iptables -w -I "$chain" 1 "${BED_RULE_ACCEPT[@]}"
}

# In either chain: the rules stay valid in FORWARD when the machine's dockerd starts later and
# creates DOCKER-USER.
bed_fw_present() {
  local chain
  for chain in DOCKER-USER FORWARD; do
    iptables -w -C "$chain" "${BED_RULE_ACCEPT[@]}" 2>/dev/null && iptables -w -C "$chain" "${BED_RULE_DROP[@]}" 2>/dev/null && return 0
  done
  return 1
}

bed_fw_remove() {
  local chain
  for chain in DOCKER-USER FORWARD; do
    iptables -w -n -L "$chain" >/dev/null 2>&1 || continue
    while iptables -w -D "$chain" "${BED_RULE_ACCEPT[@]}" 2>/dev/null; do :; done
    while iptables -w -D "$chain" "${BED_RULE_DROP[@]}" 2>/dev/null; do :; done
  done
}

# The bridge, with BRIDGE_ADDR/24, and the bed's rules.
bed_bridge_add() {
  ip link add "$BRIDGE" type bridge
  ip addr add "$BRIDGE_ADDR/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  bed_fw_add
}

# bed_host_add NS VETH PEER ADDR: namespace NS with eth0 = ADDR/24 (PEER renamed), VETH on the bridge.
bed_host_add() {
  local ns="$1" veth="$2" peer="$3" addr="$4"
  ip netns add "$ns"
  ip link add "$veth" type veth peer name "$peer"
  ip link set "$peer" netns "$ns"
  ip -n "$ns" link set "$peer" name eth0
  ip link set "$veth" master "$BRIDGE" up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "$BRIDGE_ADDR"
}

# bed_host_remove NS VETH: succeeds when neither exists. Deleting the namespace deletes the peer
# inside it, and the kernel then removes VETH on its own, asynchronously: the delete below may find
# it gone, which is the outcome wanted.
bed_host_remove() {
  if ip netns list 2>/dev/null | grep -q "^$1\( \|$\)"; then ip netns delete "$1"; fi
  if ip link show "$2" >/dev/null 2>&1; then
    ip link delete "$2" 2>/dev/null || ! ip link show "$2" >/dev/null 2>&1
  fi
}

bed_bridge_remove() {
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link delete "$BRIDGE"; fi
  bed_fw_remove
}
