DIGITS = "0123456789"
ESCAPED = set(DIGITS + "\\")


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
                raise ValueError(f"count with a leading zero at position {start}")
            count = int(data[start:i])
            if count < 2:
                raise ValueError("encode never writes a count of 1")
        if i == n:
            raise ValueError("count at the end of the data")
        ch = data[i]
        if ch == "\\":
            if i + 1 == n or data[i + 1] not in ESCAPED:
                raise ValueError(f"bad escape at position {i}")
            ch = data[i + 1]
            i += 2
        else:
            i += 1
        out.append(ch * count)
    return "".join(out)
