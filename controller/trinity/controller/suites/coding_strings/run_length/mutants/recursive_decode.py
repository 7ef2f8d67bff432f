import re

TOKEN = re.compile(r"([1-9][0-9]*)?(\\[0-9\\]|[^0-9\\])", re.DOTALL)


def encode(text):
    if not text:
        return ""
    ch = text[0]
    length = len(text) - len(text.lstrip(ch))
    item = "\\" + ch if ch == "\\" or ch in "0123456789" else ch
    head = (str(length) if length > 1 else "") + item
    return head + encode(text[length:])


def decode(data, pos=0):
    # One level of recursion per token: fine for short strings only.
    if pos == len(data):
        return ""
    match = TOKEN.match(data, pos)
    if match is None:
        raise ValueError(f"malformed data at position {pos}")
    count, item = match.groups()
    return item[-1] * int(count or 1) + decode(data, match.end())
