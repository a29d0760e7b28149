// The compositor's file descriptors. A VM makes the compositor hold one for each connection
// and each wl_shm pool; at the usual soft limit of 1024 one VM could take them all and no
// other client could connect. So the soft RLIMIT_NOFILE is raised to the hard one at start
// (the programs the compositor starts get the original back), and the last descriptors
// below the limit are the host's alone: a VM's new connection or descriptor that would take
// one of them is refused (vm/identity.cpp, vm/request_limits.cpp).
#pragma once

namespace spectrum::fd_limit {

// Raises the soft limit to the hard one and remembers the original; logs one line.
void raise_soft_limit();

// In a forked child before exec: the soft limit the compositor started with (programs
// using select() break on descriptors above 1024). Async-signal-safe.
void restore_for_child();

// The soft limit now.
int current();

// Descriptors kept for the host: an eighth of the limit, from 32 to 1024.
int host_reserve(int limit);

// Whether a VM client may make the compositor hold descriptor number `fd`. Descriptors are
// numbered lowest free first, so holding `fd` means at least fd + 1 are open.
bool vm_may_hold(int fd);

} // namespace spectrum::fd_limit
