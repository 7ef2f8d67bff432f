class BankAccount:
    def __init__(self, balance=0):
        self.balance = balance

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("amount must be positive")
        self.balance += amount

    def withdraw(self, amount):
        if amount <= 0:
            raise ValueError("amount must be positive")
        if self.balance >= amount:
            self.balance -= amount
            return True
        return False


def transfer(src, dst, amount):
    if src.withdraw(amount):
        dst.deposit(amount)
        return True
    return False
