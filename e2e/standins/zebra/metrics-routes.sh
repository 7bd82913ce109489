route() {
  case "$REQ_PATH" in
    /metrics) respond 200 text/plain "zcash_net_peers 3
zcash_chain_verified_block_height $BLOCKS
sync_estimated_network_tip_height $BLOCKS
# TYPE zebrad_build_info counter
zebrad_build_info{version=\"$ZEBRA_VERSION\"} 1
standin_version $STANDIN_VERSION" ;;
    *) respond 404 text/plain "not found" ;;
  esac
}
