"""A small seccomp filter for sandboxed runs: no new user namespaces.

A user namespace gives its maker every capability over the namespaces it then creates:
harmless by design, and the door most Linux privilege-escalation bugs of recent years
came through. bubblewrap can forbid them (--disable-userns) only inside a user namespace
of its own, which a root agent does not make (see sandbox.py), so this classic-BPF
program, handed to bubblewrap's --seccomp, refuses them on every path:

- unshare() and clone() with CLONE_NEWUSER → EPERM;
- clone3() → ENOSYS (its flags sit in memory a filter cannot read; glibc then falls back
  to clone(), which is checked);
- any other system-call ABI than the native one (i386 or x32 on x86-64) → EPERM, so the
  same calls cannot be made under other numbers.

Only architectures whose numbers are written here get a filter (x86-64, aarch64); others
run without one, and sandbox.py says so in its probe line.
"""

from __future__ import annotations

import errno
import platform
import struct

# struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6].
NR, ARCH, ARG0_LOW = 0, 4, 16
CLONE_NEWUSER = 0x10000000
X32_SYSCALL_BIT = 0x40000000

LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
JEQ_K, JGE_K, JSET_K = 0x15, 0x35, 0x45  # BPF_JMP | op | BPF_K
RET_K = 0x06
ALLOW = 0x7FFF0000  # SECCOMP_RET_ALLOW
ERRNO = 0x00050000  # SECCOMP_RET_ERRNO | errno

# machine → (AUDIT_ARCH_*, unshare, clone, clone3, x32 possible)
ARCHES = {
    "x86_64": (0xC000003E, 272, 56, 435, True),
    "aarch64": (0xC00000B7, 97, 220, 435, False),
}


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def no_user_namespaces(machine: str | None = None) -> bytes | None:
    """The filter for this machine as bubblewrap reads it, or None where unknown."""
    arch = ARCHES.get(machine or platform.machine())
    if arch is None:
        return None
    audit_arch, unshare, clone, clone3, x32 = arch
    deny, enosys = ERRNO | errno.EPERM, ERRNO | errno.ENOSYS
    program = [
        _op(LD_W_ABS, ARCH),
        _op(JEQ_K, audit_arch, jt=1),  # native ABI: go on
        _op(RET_K, deny),
        _op(LD_W_ABS, NR),
        _op(JGE_K, X32_SYSCALL_BIT if x32 else 0xFFFFFFFF, jf=1),
        _op(RET_K, deny),
        _op(JEQ_K, clone3, jf=1),
        _op(RET_K, enosys),
        _op(JEQ_K, unshare, jt=1),
        _op(JEQ_K, clone, jf=3),
        _op(LD_W_ABS, ARG0_LOW),  # the flags, both calls' first argument
        _op(JSET_K, CLONE_NEWUSER, jf=1),
        _op(RET_K, deny),
        _op(RET_K, ALLOW),
    ]
    return b"".join(program)
