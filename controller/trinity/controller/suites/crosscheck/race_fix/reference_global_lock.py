import threading

# One re-entrant lock for every account: coarse, but nothing can deadlock and transfer
# can simply call withdraw and deposit while holding it.
_LOCK = threading.RLock()


class BankAccount:
    def __init__(self, balance=0):
        self.balance = balance

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("amount must be positive")
        with _LOCK:
            self.balance += amount

    def withdraw(self, amount):
        if amount <= 0:
            raise ValueError("amount must be positive")
        with _LOCK:
            if self.balance >= amount:
                self.balance -= amount
                return True
            return False


def transfer(src, dst, amount):
    with _LOCK:
        if src.withdraw(amount):
            dst.deposit(amount)
            return True
        return False
