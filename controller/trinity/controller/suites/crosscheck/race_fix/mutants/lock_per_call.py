import threading

# One re-entrant lock for every account: coarse, but nothing can deadlock and transfer
# can simply call withdraw and deposit while holding it.


class BankAccount:
    def __init__(self, balance=0):
        self.balance = balance

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("amount must be positive")
        with threading.Lock():
            self.balance += amount

    def withdraw(self, amount):
        if amount <= 0:
            raise ValueError("amount must be positive")
        with threading.Lock():
            if self.balance >= amount:
                self.balance -= amount
                return True
            return False


def transfer(src, dst, amount):
    with threading.RLock():
        if src.withdraw(amount):
            dst.deposit(amount)
            return True
        return False
