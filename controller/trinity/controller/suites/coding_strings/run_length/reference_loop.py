DIGITS = "0123456789"
ESCAPED = set(DIGITS + "\\")


# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


def encode(text):
    out = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        j = i + 1
        while j < n and text[j] == ch:
            j += 1
        if j - i > 1:
            out.append(str(j - i))
        if ch in ESCAPED:
            out.append("\\")
        out.append(ch)
        i = j
    return "".join(out)


def decode(data):
    out = []
    i = 0
    n = len(data)
    while i < n:
        start = i
        while i < n and data[i] in DIGITS:
            i += 1
        count = 1
        if i > start:
            if data[start] == "0":
                raise InvalidInput(f"count with a leading zero at position {start}")
            count = int(data[start:i])
        if i == n:
            raise InvalidInput("count at the end of the data")
        ch = data[i]
        if ch == "\\":
            if i + 1 == n or data[i + 1] not in ESCAPED:
                raise InvalidInput(f"bad escape at position {i}")
            ch = data[i + 1]
            i += 2
        else:
            i += 1
        out.append(ch * count)
    return "".join(out)
