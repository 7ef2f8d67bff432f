import threading

# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


class BankAccount:
    """Each account has its own lock; transfer takes both locks in a fixed global order
    (by id) so two opposite transfers cannot deadlock."""

    def __init__(self, balance=0):
        self._balance = balance
        self.lock = threading.Lock()

    @property
    def balance(self):
        with self.lock:
            return self._balance

    def _check(self, amount):
        if amount <= 0:
            raise InvalidInput("amount must be positive")

    def deposit(self, amount):
        self._check(amount)
        with self.lock:
            self._balance += amount

    def withdraw(self, amount):
        self._check(amount)
        with self.lock:
            return self._take(amount)

    def _take(self, amount):  # caller holds the lock
        if self._balance >= amount:
            self._balance -= amount
            return True
        return False


def transfer(src, dst, amount):
    if amount <= 0:
        raise InvalidInput("amount must be positive")
    first, second = sorted((src, dst), key=id)
    with first.lock, second.lock:
        if not src._take(amount):
            return False
        dst._balance += amount
        return True
