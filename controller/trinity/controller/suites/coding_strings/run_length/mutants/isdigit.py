def encode(text):
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        j = i + 1
        while j < len(text) and text[j] == ch:
            j += 1
        if j - i > 1:
            out.append(str(j - i))
        # str.isdigit is true for non-ASCII digits too.
        if ch.isdigit() or ch == "\\":
            out.append("\\")
        out.append(ch)
        i = j
    return "".join(out)


def decode(data):
    out = []
    i = 0
    while i < len(data):
        start = i
        while i < len(data) and data[i].isdigit():
            i += 1
        count = 1
        if i > start:
            if data[start] == "0":
                raise ValueError("leading zero")
            count = int(data[start:i])
        if i == len(data):
            raise ValueError("count at the end")
        ch = data[i]
        if ch == "\\":
            if i + 1 == len(data) or not (data[i + 1].isdigit() or data[i + 1] == "\\"):
                raise ValueError("bad escape")
            ch = data[i + 1]
            i += 2
        else:
            i += 1
        out.append(ch * count)
    return "".join(out)
