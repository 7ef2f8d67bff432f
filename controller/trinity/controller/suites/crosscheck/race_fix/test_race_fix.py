"""Hidden checks for crosscheck/race_fix: invariants under many threads.

Amounts in the concurrent checks are an int subclass whose reflected arithmetic and
comparisons (balance + amount, balance >= amount) give the GIL away with time.sleep(0),
so an unlocked read-modify-write or check-then-act is interrupted in the middle, as it
would be with real I/O in between; a correct lock-based solution is unaffected. Threads
start together behind a barrier, are daemons and are joined with a deadline, so a
deadlock fails its check instead of hanging the run.
"""

import random
import threading
import time

from solution import BankAccount, transfer


def _yield():
    time.sleep(0)


class Amount(int):
    """An int that lets other threads run while it is being added, subtracted or compared."""

    def __radd__(self, other):
        _yield()
        return int(other) + int(self)

    def __rsub__(self, other):
        _yield()
        return int(other) - int(self)

    def __le__(self, other):
        _yield()
        return int(self) <= int(other)

    def __ge__(self, other):
        _yield()
        return int(self) >= int(other)

    def __lt__(self, other):
        _yield()
        return int(self) < int(other)

    def __gt__(self, other):
        _yield()
        return int(self) > int(other)

    __hash__ = int.__hash__


def _raises(exc_type, fn, *args):
    try:
        fn(*args)
    except exc_type:
        return True
    return False


def _run(workers, deadline_s=5.0):
    """Start every worker together; return the errors they reported."""
    errors = []
    barrier = threading.Barrier(len(workers))

    def wrap(fn):
        def body():
            try:
                barrier.wait()
                fn()
            except BaseException as exc:
                errors.append(f"{type(exc).__name__}: {exc}")

        return body

    threads = [threading.Thread(target=wrap(fn), daemon=True) for fn in workers]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + deadline_s
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    assert not stuck, f"{stuck} threads still running after {deadline_s} s: a deadlock?"
    return errors


def check_single_thread():
    a = BankAccount(100)
    b = BankAccount()
    out = []
    a.deposit(50)
    out.append(a.balance)
    out.append(a.withdraw(80))
    out.append(a.balance)
    out.append(a.withdraw(71))
    out.append(a.balance)
    out.append(a.withdraw(70) and transfer(b, a, 1) is False)  # b is empty
    a.deposit(70)
    out.append(transfer(a, b, 30) and a.balance)
    out.append(b.balance)
    out.append(transfer(a, b, 41))
    out.append(a.balance)
    out.append(b.balance)
    out.append(BankAccount().balance)
    return out


def check_invalid_amounts():
    a, b = BankAccount(10), BankAccount(10)
    for bad in (0, -1, -100):
        assert _raises(ValueError, a.deposit, bad), f"deposit({bad}): ValueError"
        assert _raises(ValueError, a.withdraw, bad), f"withdraw({bad}): ValueError"
        assert _raises(ValueError, transfer, a, b, bad), f"transfer(..., {bad}): ValueError"
    assert (a.balance, b.balance) == (10, 10), "a rejected amount changed a balance"


def check_concurrent_deposits():
    account = BankAccount(5)
    one = Amount(1)

    def worker():
        for _ in range(150):
            account.deposit(one)

    errors = _run([worker] * 8)
    assert not errors, errors[0]
    assert account.balance == 5 + 8 * 150, f"balance {account.balance}, want {5 + 8 * 150}"


def check_concurrent_withdrawals():
    account = BankAccount(300)
    one = Amount(1)
    successes = []

    def worker():
        done = 0
        for _ in range(60):
            if account.withdraw(one):
                done += 1
        successes.append(done)

    errors = _run([worker] * 8)
    assert not errors, errors[0]
    assert account.balance >= 0, f"balance went negative: {account.balance}"
    total = sum(successes)
    assert total + account.balance == 300, (
        f"{total} successful withdrawals of 1 from 300 left {account.balance}"
    )
    assert total == 300, f"only {total} of 480 withdrawals of 1 from 300 succeeded"


def check_concurrent_transfers():
    accounts = [BankAccount(40) for _ in range(4)]
    amounts = [Amount(n) for n in (1, 2, 3, 5)]

    def worker(seed):
        rng = random.Random(seed)

        def body():
            for _ in range(60):
                src, dst = rng.sample(accounts, 2)
                result = transfer(src, dst, rng.choice(amounts))
                if not isinstance(result, bool):
                    raise AssertionError(f"transfer returned {result!r}")

        return body

    errors = _run([worker(seed) for seed in range(8)])
    assert not errors, errors[0]
    balances = [a.balance for a in accounts]
    assert min(balances) >= 0, f"a balance went negative: {balances}"
    assert sum(balances) == 160, f"money created or lost: {balances} sum to {sum(balances)}"


def check_opposite_transfers():
    a, b = BankAccount(1000), BankAccount(1000)
    one = Amount(1)

    def a_to_b():
        for _ in range(150):
            transfer(a, b, one)

    def b_to_a():
        for _ in range(150):
            transfer(b, a, one)

    errors = _run([a_to_b, b_to_a, a_to_b, b_to_a])
    assert not errors, errors[0]
    assert (a.balance, b.balance) == (1000, 1000), f"balances {a.balance}, {b.balance}"


def check_mixed_operations():
    accounts = [BankAccount(20) for _ in range(3)]
    ledgers = []

    def worker(seed):
        rng = random.Random(seed)

        def body():
            ledger = [0, 0, 0]  # net change this thread made to each account
            for _ in range(50):
                op = rng.random()
                i = rng.randrange(3)
                amount = Amount(rng.randint(1, 6))
                if op < 0.3:
                    accounts[i].deposit(amount)
                    ledger[i] += amount
                elif op < 0.6:
                    if accounts[i].withdraw(amount):
                        ledger[i] -= amount
                else:
                    j = (i + rng.randint(1, 2)) % 3
                    transfer(accounts[i], accounts[j], amount)
            ledgers.append(ledger)

        return body

    errors = _run([worker(seed) for seed in range(6)])
    assert not errors, errors[0]
    balances = [a.balance for a in accounts]
    assert min(balances) >= 0, f"a balance went negative: {balances}"
    want = 60 + sum(sum(ledger) for ledger in ledgers)
    assert sum(balances) == want, f"balances {balances} sum to {sum(balances)}, want {want}"
