/**
 * Who a process runs as, read from Docker's `user` (`name`, `uid`, `name:group` or `uid:gid`). The one
 * definition of root for the `Service` model and the policy rules alike.
 */

/**
 * True when `user` names root: the user part is `root` or uid 0 (`0`, `00`), with any group or none
 * (`0:1000` is root: the group does not lower the user's privileges). An empty `user` is not root by
 * this test: it means the image's own user, which only the image knows (see {@link startsAsRoot}).
 */
export function isRootUser(user: string): boolean {
  const name = user.split(":")[0].trim();
  return name === "root" || /^0+$/.test(name);
}

/**
 * Whether a process given `user` must be taken to start as root: unset or empty (the image's own
 * user, which may well be root and cannot be read at synth time), or a root user.
 */
export function startsAsRoot(user: string | undefined): boolean {
  return user === undefined || user.trim() === "" || isRootUser(user);
}

/**
 * The numeric owner of a file delivered to a process that runs as `user` (a `uid:gid`): root (0:0)
 * when the process starts as root, else its uid and its gid (the uid when no group is given).
 */
export function fileOwnerOf(user: string | undefined): { readonly uid: string; readonly gid: string } {
  if (user === undefined || startsAsRoot(user)) return { uid: "0", gid: "0" };
  const [uid, gid] = user.split(":");
  return { uid, gid: gid ?? uid };
}
